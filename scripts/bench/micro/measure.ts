// A tiny bounded micro-benchmark runner: warm up, then time batches for about
// <ms> milliseconds and print ns per call. Every hot function gets one file here.
export function bench (name: string, fn: () => unknown, ms = 300): number {
  for (let i = 0; i < 20000; i++) fn()
  let n = 0
  const t0 = process.hrtime.bigint()
  const end = t0 + BigInt(ms) * 1000000n
  let t = t0
  while (t < end) {
    for (let i = 0; i < 1000; i++) fn()
    n += 1000
    t = process.hrtime.bigint()
  }
  const ns = Number(t - t0) / n
  console.log(`${name.padEnd(52)} ${ns.toFixed(1).padStart(9)} ns/op  ${(1e9 / ns / 1e6).toFixed(2).padStart(7)} M ops/s`)
  return ns
}
