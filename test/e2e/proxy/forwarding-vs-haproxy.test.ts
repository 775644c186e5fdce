import { test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { connect } from 'node:net'
import { WebSocketServer, WebSocket } from 'ws'
import { startBackend, type Backend } from '../../helpers/backends.ts'
import { startHaproxy, type RunningHaproxy } from '../../helpers/haproxy.ts'
import { startPocketlb } from '../../helpers/pocketlb.ts'
import { freePorts, rawExchange } from '../../helpers/net.ts'
import type { Engine } from '../../../src/proxy/engine.ts'

// What the servers receive and the balance order through the whole proxy,
// compared with HAProxy 2.6 on the same config; keep-alive and websockets.

let s1: Backend
let s2: Backend
let wsPort = 0
let wss: WebSocketServer
let hap: RunningHaproxy
let plb: Engine
let hapPort = 0
let plbPort = 0

before(async () => {
  s1 = await startBackend('s1')
  s2 = await startBackend('s2')
  wss = new WebSocketServer({ host: '127.0.0.1', port: 0 })
  await new Promise<void>(r => wss.once('listening', () => r()))
  wsPort = (wss.address() as { port: number }).port
  wss.on('connection', ws => ws.on('message', m => ws.send('echo:' + String(m))))
  ;[hapPort, plbPort] = await freePorts(2)
  const cfg = (port: number): string => `
defaults
  mode http
  option forwardfor
  timeout connect 1s
  timeout client 5s
  timeout server 5s
  timeout tunnel 10s
frontend f
  bind 127.0.0.1:${port}
  acl is_ws hdr(Upgrade) -i websocket
  use_backend ws if is_ws
  default_backend b
backend b
  balance roundrobin
  server s1 127.0.0.1:${s1.port} weight 3
  server s2 127.0.0.1:${s2.port} weight 1
backend ws
  server w1 127.0.0.1:${wsPort}
`
  hap = await startHaproxy(cfg(hapPort), hapPort)
  plb = await startPocketlb(cfg(plbPort))
})

after(async () => {
  await hap?.stop()
  await plb?.stop()
  await s1?.close()
  await s2?.close()
  for (const c of wss?.clients ?? []) c.terminate()
  await new Promise<void>(r => wss.close(() => r()))
})

async function order (port: number, n: number): Promise<string[]> {
  const out: string[] = []
  for (let i = 0; i < n; i++) {
    const r = await rawExchange(port, `GET /o${i} HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n`)
    out.push(/x-server: (\w+)/.exec(r)?.[1] ?? '?')
  }
  return out
}

test('roundrobin 3:1 order through the proxy matches HAProxy', async () => {
  const h = await order(hapPort, 8)
  const p = await order(plbPort, 8)
  assert.deepEqual(h, ['s1', 's1', 's1', 's2', 's1', 's1', 's1', 's2'])
  assert.deepEqual(p, h)
})

test('the server receives the same header list (names, order, X-Forwarded-For, Connection)', async () => {
  const req = 'GET /h HTTP/1.1\r\nHost: a\r\nUser-Agent: t\r\nConnection: keep-alive, X-Foo\r\nX-Foo: 1\r\nKeep-Alive: 3\r\n\r\n'
  const seen = async (port: number): Promise<string[]> => {
    const n1 = s1.seen.length
    const n2 = s2.seen.length
    await rawExchange(port, req, 500)
    assert.equal(s1.seen.length + s2.seen.length, n1 + n2 + 1, 'exactly one server got the request')
    return (s1.seen.length > n1 ? s1 : s2).seen.at(-1)!.headers
  }
  const h = await seen(hapPort)
  const p = await seen(plbPort)
  assert.deepEqual(p, h)
  assert.ok(h.includes('x-forwarded-for'))
})

test('keep-alive: several requests on one client connection, all answered in order', async () => {
  const answers = await new Promise<string>((resolve) => {
    const s = connect(plbPort, '127.0.0.1')
    let buf = ''
    s.on('data', d => { buf += d; if ((buf.match(/HTTP\/1\.1 200/g) ?? []).length === 3) { s.destroy(); resolve(buf) } })
    s.write('GET /k1 HTTP/1.1\r\nHost: a\r\n\r\n')
    setTimeout(() => s.write('GET /k2 HTTP/1.1\r\nHost: a\r\n\r\nGET /k3 HTTP/1.1\r\nHost: a\r\n\r\n'), 50)
    setTimeout(() => { s.destroy(); resolve(buf) }, 3000)
  })
  const paths = [...answers.matchAll(/s\d GET (\/k\d)/g)].map(m => m[1])
  assert.deepEqual(paths, ['/k1', '/k2', '/k3'])
})

test('websocket upgrade switches to a tunnel (both directions)', async () => {
  for (const port of [hapPort, plbPort]) {
    const ws = new WebSocket(`ws://127.0.0.1:${port}/chat`)
    const got = await new Promise<string>((resolve, reject) => {
      ws.on('open', () => ws.send('hello'))
      ws.on('message', m => resolve(String(m)))
      ws.on('error', reject)
    })
    assert.equal(got, 'echo:hello', `through port ${port}`)
    ws.close()
  }
})
