// Opens <n> websocket upgrades through the proxy and keeps them idle until
// killed. Prints {"ready": <n upgraded>, "failed": <n>} once all answered.
//   node ws-idle.mjs <port> <n>
import { connect } from 'node:net'

const [port, n] = process.argv.slice(2, 4).map(Number)
const req = Buffer.from('GET /ws HTTP/1.1\r\nHost: bench\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n')
const held = []
let ready = 0; let failed = 0; let started = 0
const report = () => { if (ready + failed === n) process.stdout.write(JSON.stringify({ ready, failed }) + '\n') }

// at most 200 handshakes in flight: the proxy's accept queue is not what is measured
let inflight = 0
function more () {
  while (started < n && inflight < 200) {
    started++; inflight++
    const s = connect(port, '127.0.0.1')
    let answered = false
    const settle = (okay) => { if (answered) return; answered = true; inflight--; okay ? ready++ : failed++; report(); more() }
    s.on('connect', () => s.write(req))
    s.once('data', d => settle(d.subarray(0, 12).toString('latin1') === 'HTTP/1.1 101'))
    s.on('error', () => settle(false))
    s.on('close', () => settle(false))
    held.push(s)
  }
}
more()
setTimeout(() => process.exit(0), 120000).unref()
