// backends.mjs <name>...: one HTTP server per <name> on 127.0.0.1, random ports, each
// answering "<name>\n". Prints "<name> <port>" lines, then serves until killed.
import { createServer } from 'node:http'
for (const name of process.argv.slice(2)) {
  const server = createServer((req, res) => res.end(`${name}\n`))
  server.listen(0, '127.0.0.1', () => console.log(name, server.address().port))
}
