import { test, after } from 'node:test'
import assert from 'node:assert/strict'
import { join } from 'node:path'
import { createHash } from 'node:crypto'
import { createServer, connect, type Server, type Socket } from 'node:net'
import { connect as tlsConnect } from 'node:tls'
import { spawn, type ChildProcess } from 'node:child_process'
import { loadConfigFiles } from '../../../src/config/load.ts'
import { Engine } from '../../../src/proxy/engine.ts'
import { startBackend, type Backend } from '../../helpers/backends.ts'
import { rawExchange, waitPort } from '../../helpers/net.ts'
import { seedsCopy } from '../../helpers/seeds.ts'

/** Every seed scenario's configuration (test/fixtures/config/seeds, loopback
 *  addresses) serves: real servers listen on the ports the config names,
 *  pocketlb runs the file as is, and requests reach the server the config
 *  routes them to. The configs use fixed ports 28000-28999, 23306-23307,
 *  26379-26380 and 8000, which no other test uses. */
const seeds = seedsCopy()
const work = seeds.dir
const closers: (() => Promise<void> | void)[] = []

after(async () => {
  for (const c of closers.reverse()) await c()
  seeds.remove()
})

async function serve (name: string): Promise<Engine> {
  const r = loadConfigFiles([join(work, name)], { env: {} })
  assert.ok(r.ok, r.ok ? '' : r.alerts.join('\n'))
  const e = new Engine(true)
  await e.apply(r.plan)
  closers.push(() => e.stop())
  return e
}

async function backends (...specs: [string, number][]): Promise<Backend[]> {
  const out: Backend[] = []
  for (const [name, port] of specs) {
    const b = await startBackend(name, undefined, port)
    closers.push(() => b.close())
    out.push(b)
  }
  return out
}

/** A raw TCP server on <port>: <onConnect> owns each connection. */
async function tcpServer (port: number, onConnect: (s: Socket) => void): Promise<Server> {
  const srv = createServer(onConnect)
  await new Promise<void>(resolve => srv.listen(port, '127.0.0.1', () => resolve()))
  closers.push(() => new Promise<void>(resolve => srv.close(() => resolve())))
  return srv
}

const get = (port: number, path: string, host: string): Promise<string> =>
  rawExchange(port, `GET ${path} HTTP/1.1\r\nHost: ${host}\r\nConnection: close\r\n\r\n`)

/** The server name a demo backend wrote at the start of its body. */
const servedBy = (answer: string): string => answer.split('\r\n\r\n')[1]?.split(' ')[0] ?? ''

test('seed 000: web farm and websocket hosts behind one frontend, stats page with auth', async () => {
  await backends(['app1', 28101], ['app2', 28102], ['app3', 28103], ['ws1', 28201], ['ws2', 28202], ['ws3', 28203])
  await serve('000-websocket-slow.cfg')
  const web = new Set<string>()
  for (let i = 0; i < 6; i++) web.add(servedBy(await get(28000, '/', 'www.example.com')))
  assert.deepEqual([...web].sort(), ['app1', 'app2', 'app3'])
  const ws = await get(28000, '/socket.io/', 'chat.ws.example.com')
  assert.match(servedBy(ws), /^ws[123]$/)
  // balance source: one client address, always the same server
  assert.equal(servedBy(await get(28000, '/socket.io/', 'chat.ws.example.com')), servedBy(ws))
  assert.match(await get(28000, '/haproxy?stats', 'www.example.com'), /^HTTP\/1\.1 401 /)
})

test('seed 001: host to backend with ACLs and with a map file', async () => {
  await backends(['app1', 28301], ['app2', 28302], ['default', 28303])
  await serve('001-host-map.cfg')
  for (const port of [28030, 28031]) {
    assert.equal(servedBy(await get(port, '/', 'www.app1.example.com')), 'app1')
    assert.equal(servedBy(await get(port, '/', 'APP2.example.com')), 'app2')
    assert.equal(servedBy(await get(port, '/', 'other.example.net')), 'default')
  }
})

test('seed 001: static/dynamic split and every hashing variant', async () => {
  await backends(['varnish1', 28111], ['varnish2', 28112], ['app1', 28121], ['v1', 28211], ['v2', 28212])
  await serve('001-static-split.cfg')
  assert.match(servedBy(await get(28010, '/img/a.png', 'www.example.com')), /^varnish[12]$/)
  assert.match(servedBy(await get(28010, '/x', 'static.example.com')), /^varnish[12]$/)
  assert.equal(servedBy(await get(28010, '/index.php', 'www.example.com')), 'app1')
  await serve('001-varnish-hashing.cfg')
  for (const path of ['/uri/a', '/whole/b?x=1', '/param?id=42', '/host/c', '/xlb/d']) {
    const first = servedBy(await get(28020, path, 'cache.example.com'))
    assert.match(first, /^v[12]$/)
    // hashing: the same request always lands on the same server
    for (let i = 0; i < 3; i++) assert.equal(servedBy(await get(28020, path, 'cache.example.com')), first, path)
  }
  // and different URIs spread over both caches (consistent hashing with avalanche)
  const spread = new Set<string>()
  for (let i = 0; i < 20; i++) spread.add(servedBy(await get(28020, `/obj/${i}`, 'cache.example.com')))
  assert.deepEqual([...spread].sort(), ['v1', 'v2'])
})

test('seed 001: Redis master found by tcp-check, the replica port left out', async () => {
  const redis = spawn('redis-server', ['--port', '26379', '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], { stdio: 'ignore' })
  closers.push(() => stop(redis))
  await waitPort(26379)
  await serve('001-redis-master.cfg')
  // R2 (nothing on 26380) drops at its first failed check, R1 stays up
  await new Promise(resolve => setTimeout(resolve, 1500))
  for (let i = 0; i < 4; i++) assert.equal(await tcpExchange(28040, 'PING\r\n', '\r\n'), '+PONG\r\n')
  assert.match(await tcpExchange(28040, 'INFO replication\r\n', 'role:'), /role:/)
})

test('seed 001: MySQL read farm from several source addresses', async () => {
  const peers: string[] = []
  for (const port of [23306, 23307]) {
    await tcpServer(port, s => {
      peers.push(s.remoteAddress ?? '')
      s.on('error', () => {})
      s.write(mysqlHandshake())
      s.on('data', d => s.write(d))
    })
  }
  await serve('001-mysql-source.cfg')
  const answer = await tcpExchange(28060, 'hello', 'hello')
  assert.ok(answer.includes('5.7.0-seed'), answer)
  assert.ok(answer.endsWith('hello'))
  // checks and the proxied connection leave from the configured sources only
  assert.ok(peers.length > 0)
  for (const p of peers) assert.ok(['127.0.0.2', '127.0.0.3'].includes(p), p)
})

test('seed 001: websockets, simple and advanced (protocol validation, 101 health check)', async () => {
  await backends(['w1', 28701], ['w2', 28702], ['web1', 28801], ['web2', 28802])
  for (const port of [28901, 28902]) await tcpServer(port, websocketEcho)
  await serve('001-websocket-simple.cfg')
  await serve('001-websocket-advanced.cfg')
  assert.match(servedBy(await get(28070, '/', 'www.example.com')), /^w[12]$/)
  assert.match(servedBy(await get(28080, '/', 'www.example.com')), /^web[12]$/)
  const upgrade = 'GET /chat HTTP/1.1\r\nHost: ws.example.com\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n' +
    'Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n'
  const echoed = await tcpExchange(28080, upgrade + 'Sec-WebSocket-Protocol: echo-protocol\r\n\r\nframe', 'frame')
  assert.match(echoed, /^HTTP\/1\.1 101 /)
  assert.ok(echoed.endsWith('\r\n\r\nframe'))
  const refused = await rawExchange(28080, upgrade + 'Sec-WebSocket-Protocol: chat\r\n\r\n')
  assert.match(refused, /^HTTP\/1\.1 403 /)
})

test('seed 001: TLS offload with the certificate file the config names, URL logged with captured headers', async () => {
  await backends(['srv1', 28501])
  await serve('001-syslog-url.cfg')
  const answer = await new Promise<string>((resolve, reject) => {
    const s = tlsConnect({ host: '127.0.0.1', port: 28050, servername: 'localhost', rejectUnauthorized: false }, () => {
      s.write('GET /tls HTTP/1.1\r\nHost: www.example.com\r\nConnection: close\r\n\r\n')
    })
    let got = ''
    s.on('data', d => { got += d.toString('latin1') })
    s.on('end', () => resolve(got))
    s.on('error', reject)
  })
  assert.equal(servedBy(answer), 'srv1')
  assert.match(answer, /^HTTP\/1\.1 200 /)
})

test('seed 004: keep-alive to a localhost server named by host name', async () => {
  await backends(['nginx', 8000])
  await serve('004-close-wait.cfg')
  const two = await rawExchange(28090, 'GET /a HTTP/1.1\r\nHost: x\r\n\r\nGET /b HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n')
  assert.equal(two.match(/HTTP\/1\.1 200 /g)?.length, 2)
  assert.ok(two.includes('nginx GET /b'))
})

/** Sends <data> on a new connection to <port>; resolves once the answer
 *  contains <until> and then ends with a line or the wanted text. */
function tcpExchange (port: number, data: string, until: string): Promise<string> {
  return new Promise((resolve, reject) => {
    let got = ''
    const s = connect(port, '127.0.0.1', () => s.write(data))
    const timer = setTimeout(() => { s.destroy(); reject(new Error(`no "${until}" from ${port}: ${JSON.stringify(got)}`)) }, 5000)
    s.on('data', d => {
      got += d.toString('latin1')
      const at = got.indexOf(until)
      if (at >= 0 && (got.endsWith('\r\n') || got.endsWith(until))) { clearTimeout(timer); s.destroy(); resolve(got) }
    })
    s.on('error', e => { clearTimeout(timer); reject(e) })
  })
}

/** A MySQL protocol 10 initial handshake packet, as a server sends on connect. */
function mysqlHandshake (): Buffer {
  const body = Buffer.concat([Buffer.from([10]), Buffer.from('5.7.0-seed\0', 'latin1'), Buffer.alloc(4, 1), Buffer.alloc(9, 0x61)])
  const head = Buffer.alloc(4)
  head.writeUIntLE(body.length, 0, 3)
  return Buffer.concat([head, body])
}

/** Answers any request with 101 and then echoes the bytes that follow. */
function websocketEcho (s: Socket): void {
  let head = ''
  s.on('error', () => {})
  const onData = (d: Buffer): void => {
    head += d.toString('latin1')
    const end = head.indexOf('\r\n\r\n')
    if (end < 0) return
    s.off('data', onData)
    // RFC 6455 §4.2.2: the accept proves the key was read (HAProxy refuses a 101 without it)
    const key = /\r\nsec-websocket-key: *([^\r]*)/i.exec(head)?.[1] ?? ''
    const accept = createHash('sha1').update(key + '258EAFA5-E914-47DA-95CA-C5AB0DC85B11').digest('base64')
    s.write(`HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: ${accept}\r\n\r\n`)
    const rest = head.slice(end + 4)
    if (rest.length > 0) s.write(rest)
    s.on('data', more => s.write(more))
  }
  s.on('data', onData)
}

function stop (child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return Promise.resolve()
  return new Promise(resolve => { child.once('exit', () => resolve()); child.kill('SIGKILL') })
}
