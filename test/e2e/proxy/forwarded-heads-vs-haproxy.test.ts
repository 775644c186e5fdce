import { test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { createServer, type Server, type Socket } from 'node:net'
import { startHaproxy, type RunningHaproxy } from '../../helpers/haproxy.ts'
import { startPocketlb } from '../../helpers/pocketlb.ts'
import { freePorts, rawExchange, statusOf } from '../../helpers/net.ts'
import type { Engine } from '../../../src/proxy/engine.ts'

// Request heads as HAProxy 2.6 checks, normalizes and forwards them, compared on
// the same requests: the head the server receives and the answer the client gets.
// - The target's authority and Host: an absolute http/https URI loses an empty
//   or default port (80/443), in Host too; Host must agree with the authority
//   once both are normalized; a CONNECT needs host:port, its Host must agree,
//   and loses port 80 or 443 (its request line keeps it).
// - A protocol upgrade: Connection loses close/keep-alive and keeps its other
//   tokens, the upgrade one where and as written ("Upgrade" stays "Upgrade"), in
//   the request and in the 101.

const closers: (() => Promise<void>)[] = []
after(async () => { for (const c of closers.reverse()) await c() })

/** what the server received, one entry per request head */
const received: string[] = []
const port = { hap: 0, plb: 0 }

before(async () => {
  const conns = new Set<Socket>()
  const app: Server = createServer(s => {
    conns.add(s)
    s.on('close', () => conns.delete(s))
    s.on('error', () => {})
    s.once('data', d => {
      const head = d.toString('latin1')
      received.push(head)
      if (!/\r\nupgrade:/i.test(head)) { s.end('HTTP/1.1 200 OK\r\ncontent-length: 0\r\n\r\n'); return }
      s.write('HTTP/1.1 101 Switching Protocols\r\nUpgrade: WebSocket\r\nConnection: keep-alive, Upgrade\r\n' +
        'Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n\r\n')
    })
  })
  await new Promise<void>(resolve => app.listen(0, '127.0.0.1', () => resolve()))
  closers.push(() => new Promise(resolve => { for (const s of conns) s.destroy(); app.close(() => resolve()) }))
  const appPort = (app.address() as { port: number }).port
  ;[port.hap, port.plb] = await freePorts(2)
  const cfg = (p: number): string => `
defaults
  mode http
  timeout connect 1s
  timeout client 2s
  timeout server 2s
listen l
  bind 127.0.0.1:${p}
  server s1 127.0.0.1:${appPort}
`
  const hap: RunningHaproxy = await startHaproxy(cfg(port.hap), port.hap)
  closers.push(() => hap.stop())
  const plb: Engine = await startPocketlb(cfg(port.plb))
  closers.push(() => plb.stop())
})

/** The head the server got (or "-" when it got nothing), then the answer the client got. */
async function exchange (p: number, req: string): Promise<string> {
  const before = received.length
  const answer = await rawExchange(p, req, 300)
  return `${received.length > before ? received[before] : '-'}\n${answer}`
}

const close = 'connection: close\r\n\r\n'
const requests = [
  `GET http://a:80/x HTTP/1.1\r\nHost: a:80\r\n${close}`,
  `GET https://a:443/x HTTP/1.1\r\nHost: a:443\r\n${close}`,
  `GET http://a:443/x HTTP/1.1\r\nHost: a:443\r\n${close}`,
  `GET HTTP://A:80/x HTTP/1.1\r\nHost: A:80\r\n${close}`,
  `GET http://a:80/x HTTP/1.1\r\nHost: A:80\r\n${close}`,
  `GET http://a:80/x HTTP/1.1\r\nHost: a\r\n${close}`,
  `GET http://a/x HTTP/1.1\r\nHost: a:80\r\n${close}`,
  `GET http://a:80 HTTP/1.1\r\nHost: a\r\n${close}`,
  `GET http://a:/x HTTP/1.1\r\nHost: a:\r\n${close}`,
  `GET http://[::1]:80/x HTTP/1.1\r\nHost: [::1]:80\r\n${close}`,
  `GET http://a:80/x HTTP/1.1\r\n${close}`,
  `GET http://a:80/x HTTP/1.1\r\nHost: b:80\r\n${close}`,
  `GET http://a:80?q HTTP/1.1\r\nHost: a\r\n${close}`,
  `GET ftp://a:21/x HTTP/1.1\r\nHost: a:21\r\n${close}`,
  `GET / HTTP/1.1\r\nHost: a:443\r\n${close}`,
  'CONNECT example.com:443 HTTP/1.1\r\nHost: example.com:443\r\n\r\n',
  'CONNECT example.com:80 HTTP/1.1\r\nHost: example.com:80\r\n\r\n',
  'CONNECT example.com:8443 HTTP/1.1\r\nHost: example.com:8443\r\n\r\n',
  'CONNECT a:443 HTTP/1.1\r\nHost: a\r\n\r\n',
  'CONNECT a:443 HTTP/1.1\r\nHost: b:443\r\n\r\n',
  'CONNECT [::1]:443 HTTP/1.1\r\nHost: [::1]:443\r\n\r\n',
  'CONNECT a HTTP/1.1\r\n\r\n',
  'CONNECT a: HTTP/1.1\r\n\r\n',
  'CONNECT /x HTTP/1.1\r\n\r\n'
]

for (const req of requests) {
  test(`authority and Host of ${JSON.stringify(req.slice(0, req.indexOf('\r\n\r\n')))}: as HAProxy`, async () => {
    const h = await exchange(port.hap, req)
    const p = await exchange(port.plb, req)
    assert.ok([200, 400].includes(statusOf(h.slice(h.indexOf('\nHTTP/') + 1))), h)
    assert.equal(p, h)
  })
}

const KEY = 'Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n'
for (const conn of ['keep-alive, Upgrade', 'UPGRADE, foo', 'Upgrade']) {
  test(`an upgrade with "Connection: ${conn}": heads as HAProxy's`, async () => {
    const req = `GET /ws HTTP/1.1\r\nHost: a\r\nConnection: ${conn}\r\nUpgrade: WebSocket\r\n${KEY}\r\n`
    const h = await exchange(port.hap, req)
    const p = await exchange(port.plb, req)
    assert.match(h, /\nHTTP\/1\.1 101 /)
    assert.equal(p, h)
  })
}
