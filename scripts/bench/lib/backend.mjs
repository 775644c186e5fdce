// A backend that is never the bottleneck: 99 bytes on any path, 64 KiB on /big,
// websocket upgrades answered 101 and held idle. Runs in its own process.
//   node backend.mjs <port>
import { createServer } from 'node:http'
import { createHash } from 'node:crypto'

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
  // HAProxy checks the accept key of a websocket upgrade (RFC 6455 §4.2.2)
  const accept = createHash('sha1').update(String(q.headers['sec-websocket-key']) + '258EAFA5-E914-47DA-95CA-C5AB0DC85B11').digest('base64')
  sock.write(`HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: ${accept}\r\n\r\n`)
})
s.listen(Number(process.argv[2]), '127.0.0.1')
