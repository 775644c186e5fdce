// backends.mjs <name>[@<addr>:<port>]...: one HTTP server per <name> (default 127.0.0.1, a
// random port), each answering "<name>\n". Prints "<name> <port>" lines, then serves until killed.
import { createServer } from 'node:http'
for (const arg of process.argv.slice(2)) {
  const [name, at = '127.0.0.1:0'] = arg.split('@')
  const [addr, port] = [at.slice(0, at.lastIndexOf(':')), Number(at.slice(at.lastIndexOf(':') + 1))]
  const server = createServer((req, res) => res.end(`${name}\n`))
  server.listen(port, addr, () => console.log(name, server.address().port))
}
