// TCP load for the kernel-path bench, run inside the client namespace against
// backends that write "<name>\n" on accept and then echo (test/net/l4/topo.ts).
// Each connection: connect (to the next host, from the next source address, in
// turn), for 'bulk' send 64 KiB, read the name line (and the echo), close.
//   node l4-load.mjs conn|bulk <hosts,comma> <port> <secs> <concurrency> <sources,comma>
//     as fast as <concurrency> connections in flight allow
//   node l4-load.mjs paced <hosts,comma> <port> <secs> <rate> <sources,comma>
//     <rate> new connections per second, opened on a 2 ms tick whatever is in flight
// Prints one JSON line: { done, failed, bytes, secs, cpuMs, sysMs, maxOpen }: this
// process's own user+system and system time, so a caller can tell the client's cost apart.
import { connect } from 'node:net'

const [mode, hostsArg, portArg, secsArg, nArg, sourcesArg] = process.argv.slice(2)
const port = Number(portArg); const secs = Number(secsArg); const n = Number(nArg)
const hosts = hostsArg.split(',')
const sources = sourcesArg ? sourcesArg.split(',') : [undefined]
const BULK = 65536
const NAME_LINE = 3 // "s1\n"
const payload = Buffer.alloc(BULK, 120)
const want = mode === 'bulk' ? NAME_LINE + BULK : NAME_LINE
const CONNECTION_TIMEOUT_MS = 3000

let done = 0; let failed = 0; let bytes = 0; let open = 0; let maxOpen = 0; let next = 0
const t0 = performance.now()
const cpu0 = process.cpuUsage()

/** One connection; resolves when it is over, whatever the outcome. */
function one () {
  return new Promise(resolve => {
    open++
    if (open > maxOpen) maxOpen = open
    const i = next++
    const s = connect({ host: hosts[i % hosts.length], port, localAddress: sources[i % sources.length] })
    let got = 0
    const finish = ok => { if (ok) { done++; bytes += got } else failed++; open--; s.destroy(); resolve() }
    s.setTimeout(CONNECTION_TIMEOUT_MS, () => finish(false))
    s.on('connect', () => { if (mode === 'bulk') s.write(payload) })
    s.on('data', d => { got += d.length; if (got >= want) finish(true) })
    s.on('error', () => finish(false))
  })
}

function report () {
  const elapsed = (performance.now() - t0) / 1000
  const c = process.cpuUsage(cpu0)
  process.stdout.write(JSON.stringify({ done, failed, bytes, secs: elapsed, cpuMs: (c.user + c.system) / 1000, sysMs: c.system / 1000, maxOpen }) + '\n')
  process.exit(0)
}

const end = t0 + secs * 1000
if (mode === 'paced') {
  const total = Math.round(n * secs)
  let opened = 0
  const pending = []
  const tick = setInterval(() => {
    const due = Math.min(total, Math.floor((performance.now() - t0) * n / 1000))
    for (; opened < due; opened++) pending.push(one())
    if (opened === total) { clearInterval(tick); Promise.all(pending).then(report) }
  }, 2)
} else {
  const worker = async () => { while (performance.now() < end) await one() }
  Promise.all(Array.from({ length: n }, worker)).then(report)
}
