// A lab backend: `node --import tsx web.ts <name> [port]` answers every request
// with its own name (so a client sees the balancing) and /health with 200.
import { createServer } from 'node:http'

const name = process.argv[2] ?? 'web'
const port = Number(process.argv[3] ?? 80)

const server = createServer((req, res) => {
  const body = req.url === '/health'
    ? 'ok\n'
    : `${name}: ${req.method} ${req.url} from ${req.headers['x-forwarded-for'] ?? req.socket.remoteAddress} via ${req.socket.remoteAddress}\n`
  res.writeHead(200, { 'content-type': 'text/plain', 'content-length': Buffer.byteLength(body), 'x-backend': name })
  res.end(body)
})
server.listen(port, () => { console.log(`${name} listening on :${port}`) })
process.once('SIGTERM', () => { server.close(); server.closeAllConnections(); process.exit(0) })
