// The floor of any Node proxy: accept, connect to the next backend in turn,
// pipe bytes both ways, close both when one closes. No parsing, timers, logs
// or counters. The bench runs it like a proxy to show what Node's own socket
// machinery costs per connection (CPU) and per idle connection (RSS).
//   node node-pipe.mjs <listen port> <backend port> [<backend port> ...]
import { createServer, connect } from 'node:net'

const [port, ...bports] = process.argv.slice(2).map(Number)
let next = 0
// half-open both ways (a client may send its FIN before the answer): each
// FIN is passed on by pipe(), a socket closes once both directions ended
createServer({ noDelay: true, allowHalfOpen: true }, c => {
  const s = connect({ port: bports[next++ % bports.length], host: '127.0.0.1', noDelay: true, allowHalfOpen: true })
  c.pipe(s)
  s.pipe(c)
  const end = () => { c.destroy(); s.destroy() }
  c.on('error', end); s.on('error', end)
}).listen(port, '127.0.0.1')
