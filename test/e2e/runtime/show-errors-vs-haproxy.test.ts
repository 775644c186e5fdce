/** `show errors` compared with HAProxy 2.6: two malformed requests on two
 *  frontends and a malformed response from a server, then the captures and
 *  their filters; times, client ports and the H1 mux flag words (HAProxy
 *  internals) are masked, everything else must be the same text. */
import { test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { mkdirSync } from 'node:fs'
import { createServer, type Server } from 'node:net'
import { join } from 'node:path'
import { freePorts, rawExchange, statusOf } from '../../helpers/net.ts'
import { startOurs, startHaproxy, cli, configHead, tempDir, type Ours, type Haproxy } from './helpers.ts'

interface Side { readonly fe: number; readonly other: number; readonly sock: string }

let bad: Server
let ours: Ours
let haproxy: Haproxy
const dir = tempDir()
const sides: Side[] = []

/** A server whose response has a header line without a colon. */
function startBadServer (): Promise<number> {
  bad = createServer(c => {
    c.on('error', () => {})
    c.once('data', () => c.end('HTTP/1.1 200 OK\r\nbad header\r\ncontent-length: 2\r\n\r\nok'))
  })
  return new Promise(resolve => bad.listen(0, '127.0.0.1', () => resolve((bad.address() as { port: number }).port)))
}

function config (s: Side, serverPort: number): string {
  return configHead(s.sock, 'http') + `frontend fe
  bind 127.0.0.1:${s.fe}
  default_backend bk
backend bk
  server s1 127.0.0.1:${serverPort}
listen other
  bind 127.0.0.1:${s.other}
  server x1 127.0.0.1:${serverPort}
`
}

before(async () => {
  const serverPort = await startBadServer()
  for (const name of ['haproxy', 'ours']) {
    mkdirSync(join(dir.path, name))
    const [fe, other] = await freePorts(2)
    sides.push({ fe, other, sock: join(dir.path, name, 'admin.sock') })
  }
  haproxy = await startHaproxy(config(sides[0], serverPort), join(dir.path, 'haproxy'), sides[0].fe)
  ours = await startOurs(config(sides[1], serverPort), join(dir.path, 'ours'))
  for (const s of sides) {
    assert.equal(statusOf(await rawExchange(s.fe, 'GET / HTTP/1.1\r\nho st: x\r\nfoo\x01: y\r\n\r\n')), 400)
    assert.equal(statusOf(await rawExchange(s.other, 'GET\x01 / HTTP/1.1\r\n\r\n')), 400)
    assert.equal(statusOf(await rawExchange(s.fe, 'GET /x HTTP/1.1\r\nhost: x\r\nconnection: close\r\n\r\n')), 502)
  }
})

after(async () => {
  await haproxy?.stop()
  await ours?.stop()
  await new Promise(resolve => bad?.close(resolve))
  dir.remove()
})

/** The answer with its variable parts masked. */
function masked (text: string): string {
  return text.replace(/\[\d\d\/\w{3}\/\d{4}:\d\d:\d\d:\d\d\.\d{3}\]/g, '[DATE]')
    .replace(/src 127\.0\.0\.1:\d+/g, 'src 127.0.0.1:PORT')
    .replace(/flags 0x[0-9a-f]{8}/g, 'flags 0xFLAGS')
}

for (const line of ['show errors', 'show errors fe', 'show errors bk', 'show errors other request', 'show errors bk response',
  'show errors fe response', 'show errors 99', 'show errors zz']) {
  test(`${line}: same text as HAProxy 2.6`, async () => {
    const h = masked(await cli(sides[0].sock, line))
    const o = masked(await cli(sides[1].sock, line))
    assert.equal(o, h)
  })
}

test('the captures hold the dump lines with HAProxy offsets and escapes', async () => {
  const o = await cli(sides[1].sock, 'show errors')
  assert.match(o, /^Total events captured on \[[^\]]+\] : 3\n/)
  assert.match(o, /\n {2}00016 {2}ho st: x\\r\\n\n {2}00026 {2}foo\\x01: y\\r\\n\n/)
  assert.match(o, /\n {2}00000 {2}GET\\x01 \/ HTTP\/1\.1\\r\\n\n/)
  assert.match(o, /backend bk \(#3\): invalid response\n {2}frontend fe \(#2\), server s1 \(#1\), event #2/)
})
