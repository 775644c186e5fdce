// A byte forwarder between two network namespaces: `node --import tsx forward.ts <listen> <target>`,
// each side "addr:port" (TCP) or an absolute path (a unix socket). Unix socket paths are seen from
// every namespace, so two forwarders carry a browser on the host's loopback to a UI inside a lab
// namespace: host 127.0.0.1:9101 → /run/pocketlb-lab/plab/lb1-ui.sock → (in plab-lb1) 10.77.0.11:8080.
// Prints "ready" once listening; stops on SIGTERM (removing its unix socket).
import { connect, createServer, type NetConnectOpts } from 'node:net'
import { rmSync } from 'node:fs'

type Where = { path: string } | { host: string; port: number }

function where (s: string): Where {
  if (s.startsWith('/')) return { path: s }
  const m = /^(?:\[([^\]]+)\]|([^:]+)):(\d+)$/.exec(s)
  if (m === null) throw new Error(`forward: '${s}' is neither addr:port nor /path`)
  return { host: m[1] ?? m[2]!, port: Number(m[3]) }
}

const [listenAt, target] = process.argv.slice(2).map(where) as [Where, Where]
if ('path' in listenAt) rmSync(listenAt.path, { force: true })
const server = createServer({ allowHalfOpen: true }, client => {
  const upstream = connect({ ...target, allowHalfOpen: true } as NetConnectOpts)
  client.pipe(upstream).pipe(client)
  client.on('error', () => upstream.destroy())
  upstream.on('error', () => client.destroy())
})
server.listen(listenAt, () => console.log('ready'))
process.once('SIGTERM', () => {
  server.close()
  if ('path' in listenAt) rmSync(listenAt.path, { force: true })
  process.exit(0)
})
