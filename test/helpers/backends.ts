import { createServer, type Server, type IncomingMessage } from 'node:http'

export interface Backend {
  name: string
  port: number
  server: Server
  /** requests seen, in order */
  seen: { method: string; url: string; headers: string[]; body: string }[]
  close (): Promise<void>
}

/** A real HTTP server on 127.0.0.1 that answers "<name> <method> <url>" and
 *  records what it received (raw header list included). <handler> may take over.
 *  <port> 0 picks a free one. */
export async function startBackend (name: string, handler?: (req: IncomingMessage, res: import('node:http').ServerResponse, body: string) => boolean, port = 0): Promise<Backend> {
  const seen: Backend['seen'] = []
  const server = createServer((req, res) => {
    let body = ''
    req.on('data', d => { body += d })
    req.on('end', () => {
      seen.push({ method: req.method ?? '', url: req.url ?? '', headers: req.rawHeaders, body })
      if (handler !== undefined && handler(req, res, body)) return
      const text = `${name} ${req.method} ${req.url}\n`
      res.writeHead(200, { 'content-type': 'text/plain', 'x-server': name, 'content-length': Buffer.byteLength(text) })
      res.end(text)
    })
  })
  server.keepAliveTimeout = 5000
  await new Promise<void>(resolve => server.listen(port, '127.0.0.1', () => resolve()))
  const a = server.address()
  return {
    name, port: typeof a === 'object' && a !== null ? a.port : 0, server, seen,
    close: () => new Promise<void>(resolve => { server.closeAllConnections(); server.close(() => resolve()) })
  }
}
