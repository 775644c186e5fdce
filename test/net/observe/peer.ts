// Both ends of the observe net test, run inside a namespace:
//   peer.ts serve            HTTP echo on :80 (the response body is the raw request, no Date:
//                            answers are byte-for-byte repeatable), TCP echo on :443, UDP echo on :7
//   peer.ts tcp|udp <host> <port> <base64>   sends the bytes (TCP: then half-closes), prints
//                            what came back as base64 (TCP: until the close; UDP: one datagram)
//   peer.ts session <host> <port>   one keep-alive TCP connection: prints "connected", then for
//                            each base64 request line on stdin, the whole response as a base64 line
import { connect, createServer } from 'node:net'
import { createSocket } from 'node:dgram'
import { createInterface } from 'node:readline'

function httpEcho (): void {
  createServer({ allowHalfOpen: true }, s => {
    let count = 0                                  // per connection: repeatable answers
    let buf = Buffer.alloc(0)
    s.on('data', d => {
      buf = Buffer.concat([buf, d])
      for (;;) {
        const end = buf.indexOf('\r\n\r\n')
        if (end < 0) return
        const head = buf.toString('latin1', 0, end)
        const len = Number(/\r\ncontent-length: *(\d+)/i.exec(head)?.[1] ?? 0)
        if (buf.length < end + 4 + len) return
        const req = buf.subarray(0, end + 4 + len)
        buf = buf.subarray(end + 4 + len)
        const close = /\r\nconnection: *close/i.test(head)
        s.write(`HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nX-Request-Count: ${++count}\r\nContent-Length: ${req.length}\r\n${close ? 'Connection: close\r\n' : ''}\r\n`)
        s.write(req)
        if (close) { s.end(); return }
      }
    })
    s.on('end', () => s.end())
    s.on('error', () => {})
  }).listen(80)
}

if (process.argv[2] === 'serve') {
  httpEcho()
  createServer({ allowHalfOpen: true }, s => { s.pipe(s); s.on('error', () => {}) }).listen(443)
  const udp = createSocket('udp4')
  udp.on('message', (m, r) => udp.send(m, r.port, r.address))
  udp.bind(7, () => console.log('ready'))
} else if (process.argv[2] === 'session') {
  const [host, port] = process.argv.slice(3) as [string, string]
  let buf = Buffer.alloc(0)
  const s = connect({ host, port: Number(port) }, () => console.log('connected'))
  s.on('data', d => {
    buf = Buffer.concat([buf, d])
    const end = buf.indexOf('\r\n\r\n')
    if (end < 0) return
    const len = Number(/\r\ncontent-length: *(\d+)/i.exec(buf.toString('latin1', 0, end))?.[1] ?? 0)
    if (buf.length < end + 4 + len) return
    console.log(buf.subarray(0, end + 4 + len).toString('base64'))
    buf = buf.subarray(end + 4 + len)
  })
  createInterface({ input: process.stdin }).on('line', l => s.write(Buffer.from(l, 'base64'))).on('close', () => s.end())
  s.on('close', () => process.exit(0))
  s.on('error', e => { console.log(`error ${e.message}`); process.exit(2) })
} else {
  const [kind, host, port, b64] = process.argv.slice(2) as [string, string, string, string]
  const payload = Buffer.from(b64, 'base64')
  const done = (out: Buffer): void => { process.stdout.write(out.toString('base64')); process.exit(0) }
  setTimeout(() => { process.stderr.write('timeout\n'); process.exit(3) }, 4000)
  if (kind === 'udp') {
    const u = createSocket('udp4')
    u.on('message', m => done(m))
    u.send(payload, Number(port), host)
  } else {
    const parts: Buffer[] = []
    const s = connect({ host, port: Number(port), allowHalfOpen: true }, () => { s.end(payload) })
    s.on('data', d => parts.push(d))
    s.on('end', () => done(Buffer.concat(parts)))
    s.on('error', e => { process.stderr.write(`${e.message}\n`); process.exit(2) })
  }
}
