import { createServer, type Server } from 'node:http'

/** Two tiny web servers that say who they are, so a newcomer sees the
 *  balancing happen (`curl` twice: web1 then web2). Listen on loopback only. */
export async function startDemoBackends (basePort: number): Promise<Server[]> {
  const servers: Server[] = []
  for (const [i, name] of ['web1', 'web2'].entries()) {
    const srv = createServer((req, res) => {
      const body = `Hello from ${name} (pocketlb demo backend)\n` +
        `You asked for ${req.method} ${req.url}; X-Forwarded-For: ${req.headers['x-forwarded-for'] ?? '-'}\n`
      res.writeHead(200, { 'content-type': 'text/plain', 'x-served-by': name, 'content-length': Buffer.byteLength(body) })
      res.end(body)
    })
    await new Promise<void>((resolve, reject) => {
      srv.once('error', reject)
      srv.listen(basePort + i, '127.0.0.1', () => resolve())
    })
    servers.push(srv)
  }
  return servers
}
