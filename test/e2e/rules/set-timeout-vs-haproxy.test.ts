import { test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { connect, createServer, type Server, type Socket } from 'node:net'
import { until } from '../../helpers/wait.ts'
import { logMessages, startSideBySide, type SideBySide } from './side-by-side.ts'

// `http-request set-timeout tunnel|server` beside HAProxy 2.6: an idle
// websocket tunnel is cut after the rule's timeout instead of the backend's,
// by both, with the same log line. (The termination state is left out: in a
// tunnel HAProxy logs a timeout as the client's, cD, and a client's close as
// a normal end, --; the proxy core logs sD and CD there.)

let ws: Server
let wsPort = 0
const wsConns = new Set<Socket>()
let sides: SideBySide

function config (port: number, logPort: number): string {
  return `
defaults
  mode http
  log 127.0.0.1:${logPort} local0
  log-format "%ft %b %s %ST %r"
  timeout connect 1s
  timeout client 10s
  timeout server 10s
frontend fe
  bind 127.0.0.1:${port}
  use_backend notunnel if { path_beg /server }
  default_backend ws
backend ws
  timeout tunnel 10s
  http-request set-timeout tunnel 400ms if { path /short }
  server w1 127.0.0.1:${wsPort}
backend notunnel
  http-request set-timeout server 400ms
  server w1 127.0.0.1:${wsPort}
`
}

before(async () => {
  // answers any request with 101 (the accept value of the key the client sends) and then says nothing
  ws = createServer(s => {
    wsConns.add(s)
    s.on('close', () => wsConns.delete(s))
    s.once('data', () => s.write('HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n\r\n'))
    s.on('error', () => {})
  })
  await new Promise<void>(r => ws.listen(0, '127.0.0.1', () => r()))
  wsPort = (ws.address() as { port: number }).port
  sides = await startSideBySide(1, (ports, logPort) => config(ports[0], logPort))
})

after(async () => {
  await sides?.stop()
  for (const s of wsConns) s.destroy()
  await new Promise<void>(r => ws.close(() => r()))
})

/** Opens a websocket tunnel on <path> and returns how long it stayed open (capped at 3 s). */
function tunnelLife (port: number, path: string): Promise<number> {
  return new Promise(resolve => {
    const t0 = Date.now()
    const s = connect(port, '127.0.0.1', () => s.write(`GET ${path} HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n`))
    s.on('error', () => {})
    s.resume() // reads on: a FIN is only seen by a reading socket
    s.on('close', () => resolve(Date.now() - t0))
    setTimeout(() => s.destroy(), 3000)
  })
}

test('set-timeout tunnel (or server, without timeout tunnel) cuts an idle tunnel after its time, as HAProxy does', async () => {
  for (const path of ['/short', '/server']) {
    const [h, p] = await Promise.all([tunnelLife(sides.hapPorts[0], path), tunnelLife(sides.plbPorts[0], path)])
    assert.ok(h >= 350 && h < 1500, `${path}: HAProxy closed after ${h} ms`)
    assert.ok(p >= 350 && p < 1500, `${path}: pocketlb closed after ${p} ms`)
  }
  const [h2, p2] = await Promise.all([tunnelLife(sides.hapPorts[0], '/long'), tunnelLife(sides.plbPorts[0], '/long')])
  assert.ok(h2 >= 2900 && p2 >= 2900, `without the rule both keep the tunnel (${h2} / ${p2} ms)`)
})

test('the log lines are the same', async () => {
  const hap = (): string[] => logMessages(sides.hapLog, /<BADREQ>/)
  const plb = (): string[] => logMessages(sides.plbLog, /<BADREQ>/)
  // one line per tunnel: /short and /server cut by the proxy, /long by the client
  assert.ok(await until(() => hap().length >= 3 && plb().length >= 3, 3000), `${hap().length} / ${plb().length}`)
  assert.deepEqual(plb().sort(), hap().sort())
})
