// A backend that is never the bottleneck: 99 bytes on any path, 64 KiB on /big,
// websocket upgrades answered 101 and held idle. Runs in its own process.
//   node backend.mjs <port>
import { createServer } from 'node:http'

const small = Buffer.from('x'.repeat(98) + '\n')
const big = Buffer.alloc(65536, 'y')
const smallHead = { 'content-length': small.length, 'content-type': 'text/plain' }
const bigHead = { 'content-length': big.length, 'content-type': 'application/octet-stream' }
const s = createServer((q, r) => {
  if (q.url === '/big') { r.writeHead(200, bigHead); r.end(big) } else { r.writeHead(200, smallHead); r.end(small) }
})
s.keepAliveTimeout = 60000
s.maxHeadersCount = 50
s.on('upgrade', (q, sock) => {
  sock.on('error', () => {})
  sock.write('HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n')
})
s.listen(Number(process.argv[2]), '127.0.0.1')
