import { test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { createServer, type Server, type Socket } from 'node:net'
import { startHaproxy, type RunningHaproxy } from '../../helpers/haproxy.ts'
import { startPocketlb } from '../../helpers/pocketlb.ts'
import { freePorts, rawExchange, statusOf } from '../../helpers/net.ts'
import type { Engine } from '../../../src/proxy/engine.ts'

// The websocket handshake checks HAProxy 2.6's H1 layer makes, compared on the same
// requests: an upgrade to websocket without Sec-WebSocket-Key is a bad request (the
// server never sees it); a 101 without Sec-WebSocket-Accept, or a 101 to a request that
// asked for no upgrade, is a bad response (502).

let app: Server
const appConns = new Set<Socket>()
let reached = 0
let hap: RunningHaproxy
let plb: Engine
const port = { hap: 0, plb: 0 }

/** Always switches protocols; `?accept=none` leaves Sec-WebSocket-Accept out. */
function startApp (listenPort: number): Promise<Server> {
  const srv = createServer(s => {
    appConns.add(s)
    s.on('close', () => appConns.delete(s))
    s.once('data', d => {
      reached++
      const accept = d.toString('latin1').includes('accept=none') ? '' : 'Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n'
      s.write('HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n' + accept + '\r\n')
    })
    s.on('error', () => {})
  })
  return new Promise(resolve => srv.listen(listenPort, '127.0.0.1', () => resolve(srv)))
}

before(async () => {
  const [h, p, a] = await freePorts(3)
  port.hap = h; port.plb = p
  app = await startApp(a)
  const cfg = (bindPort: number): string => `
defaults
  mode http
  timeout connect 1s
  timeout client 5s
  timeout server 5s
  timeout tunnel 5s
frontend f
  bind 127.0.0.1:${bindPort}
  default_backend app
backend app
  server s1 127.0.0.1:${a}
`
  hap = await startHaproxy(cfg(port.hap), port.hap)
  plb = await startPocketlb(cfg(port.plb))
})

after(async () => {
  await hap?.stop()
  await plb?.stop()
  for (const s of appConns) s.destroy()
  await new Promise(resolve => app?.close(resolve))
})

const KEY = 'Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n'
const cases: ReadonlyArray<readonly [string, string, number, boolean]> = [
  // name, head fields after Host, expected status, whether the server sees it
  ['websocket without key', 'Connection: Upgrade\r\nUpgrade: websocket\r\n', 400, false],
  ['websocket in a protocol list, any case, without key', 'Connection: Upgrade\r\nUpgrade: h2c, WebSocket\r\n', 400, false],
  ['websocket with key', `Connection: Upgrade\r\nUpgrade: websocket\r\n${KEY}`, 101, true],
  ['another protocol without key', 'Connection: Upgrade\r\nUpgrade: foo\r\n', 101, true],
  ['101 without accept', `Connection: Upgrade\r\nUpgrade: websocket\r\n${KEY}`, 502, true],
  ['101 to a request without Connection: upgrade', 'Upgrade: websocket\r\n', 502, true]
]

for (const [name, fields, status, seen] of cases) {
  test(`websocket handshake: ${name} → ${status}, as HAProxy`, async () => {
    const path = name === '101 without accept' ? '/?accept=none' : '/'
    const req = `GET ${path} HTTP/1.1\r\nHost: a\r\n${fields}\r\n`
    const before = reached
    const h = statusOf(await rawExchange(port.hap, req, 400))
    const afterHap = reached
    const p = statusOf(await rawExchange(port.plb, req, 400))
    assert.equal(p, h, 'same status as HAProxy')
    assert.equal(h, status, 'the case covers what it names')
    assert.equal(reached - afterHap, afterHap - before, 'the server is reached by both or by neither')
    assert.equal(afterHap - before, seen ? 1 : 0)
  })
}
