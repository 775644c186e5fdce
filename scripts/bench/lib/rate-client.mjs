// Bounded rate-limited load: <rate> new connections per second for <secs>
// seconds, one `Connection: close` request each (wrk2 is not available).
// Prints one JSON line: { rate, opened, ok, errors, p50ms, p99ms, maxConcurrent }.
//   node rate-client.mjs <port> <rate> <secs> [path]
import { connect } from 'node:net'

const [port, rate, secs] = process.argv.slice(2, 5).map(Number)
const path = process.argv[5] ?? '/'
const req = Buffer.from(`GET ${path} HTTP/1.1\r\nHost: bench\r\nConnection: close\r\n\r\n`)
const total = Math.round(rate * secs)
const lat = []
let opened = 0; let ok = 0; let errors = 0; let open = 0; let maxConcurrent = 0
const t0 = performance.now()

function one () {
  const start = performance.now()
  opened++; open++
  if (open > maxConcurrent) maxConcurrent = open
  const s = connect(port, '127.0.0.1')
  let first = null
  s.on('connect', () => s.end(req))
  s.on('data', d => { if (first === null) first = d.subarray(0, 12).toString('latin1') })
  s.on('error', () => {})
  s.on('close', () => {
    open--
    if (first === 'HTTP/1.1 200') { ok++; lat.push(performance.now() - start) } else errors++
    if (opened === total && open === 0) done()
  })
}

const tick = setInterval(() => {
  const due = Math.min(total, Math.floor((performance.now() - t0) * rate / 1000))
  while (opened < due) one()
  if (opened === total) clearInterval(tick)
}, 2)
const guard = setTimeout(done, secs * 1000 + 5000)

function done () {
  clearTimeout(guard); clearInterval(tick)
  lat.sort((a, b) => a - b)
  const q = f => lat.length ? Number(lat[Math.min(lat.length - 1, Math.floor(lat.length * f))].toFixed(2)) : null
  const elapsed = (performance.now() - t0) / 1000
  process.stdout.write(JSON.stringify({ rate, held: Math.round(ok / elapsed), opened, ok, errors: errors + (total - opened) + open, p50ms: q(0.5), p99ms: q(0.99), maxConcurrent }) + '\n')
  process.exit(0)
}
