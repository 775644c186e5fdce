import { test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { createServer, type Server, type IncomingMessage, type ServerResponse } from 'node:http'
import { connect, type Socket } from 'node:net'
import { startHaproxy, type RunningHaproxy } from '../../helpers/haproxy.ts'
import { startPocketlb } from '../../helpers/pocketlb.ts'
import { freePorts, freeRange, rawExchange, statusOf } from '../../helpers/net.ts'
import type { Engine } from '../../../src/proxy/engine.ts'

// HTTP/1.1 semantics through the proxy, compared with HAProxy 2.6 on the same
// config: bodiless answers, 100-continue, the connection modes (keep-alive,
// http-server-close, httpclose), http-reuse safe with a non-idempotent first
// request (seed 002), server maxconn with a queue timeout, and a source port
// range that runs out (seed 001).

/** One server connection seen by the backend: its number and the requests on it. */
interface Seen { conn: number; method: string; url: string }

let server: Server
let serverPort = 0
const seen: Seen[] = []
const held: ServerResponse[] = []

function answer (req: IncomingMessage, res: ServerResponse): void {
  const url = req.url ?? ''
  if (url === '/204') { res.writeHead(204); res.end(); return }
  if (url === '/304') { res.writeHead(304, { etag: '"x"' }); res.end(); return }
  if (url === '/hold') { held.push(res); return }
  const body = `${req.method} ${url}\n`
  res.writeHead(200, { 'content-type': 'text/plain', 'content-length': Buffer.byteLength(body) })
  res.end(req.method === 'HEAD' ? undefined : body)
}

let hap: RunningHaproxy
let plb: Engine
const ports: Record<string, { hap: number; plb: number }> = {}
const FRONTENDS = ['ka', 'sclose', 'close', 'feclose', 'reuse', 'queue', 'srcport'] as const

before(async () => {
  let conns = 0
  const ids = new WeakMap<Socket, number>()
  server = createServer((req, res) => {
    let body = ''
    req.on('data', d => { body += d })
    req.on('end', () => {
      seen.push({ conn: ids.get(req.socket) ?? -1, method: req.method ?? '', url: req.url ?? '' })
      answer(req, res)
    })
  })
  server.on('connection', s => ids.set(s, ++conns))
  server.keepAliveTimeout = 10000
  await new Promise<void>(resolve => server.listen(0, '127.0.0.1', () => resolve()))
  serverPort = (server.address() as { port: number }).port
  const free = await freePorts(FRONTENDS.length * 2)
  FRONTENDS.forEach((f, i) => { ports[f] = { hap: free[2 * i], plb: free[2 * i + 1] } })
  const srcHap = await freeRange(2)
  let srcPlb = await freeRange(2)
  while (Math.abs(srcPlb - srcHap) < 2) srcPlb = await freeRange(2)
  const cfg = (side: 'hap' | 'plb', src: number): string => `
defaults
  mode http
  timeout connect 1s
  timeout client 5s
  timeout server 5s
  timeout queue 300ms
  timeout http-keep-alive 3s
${FRONTENDS.map(f => `
frontend ${f}
  bind 127.0.0.1:${ports[f][side]}${f === 'feclose' ? '\n  option httpclose' : ''}
  default_backend b_${f}
`).join('')}
backend b_feclose
  server s 127.0.0.1:${serverPort}
backend b_ka
  server s 127.0.0.1:${serverPort}
backend b_sclose
  option http-server-close
  server s 127.0.0.1:${serverPort}
backend b_close
  option httpclose
  server s 127.0.0.1:${serverPort}
backend b_reuse
  http-reuse safe
  server s 127.0.0.1:${serverPort}
backend b_queue
  server s 127.0.0.1:${serverPort} maxconn 1
backend b_srcport
  retries 1
  server s 127.0.0.1:${serverPort} source 127.0.0.1:${src}-${src + 1}
`
  hap = await startHaproxy(cfg('hap', srcHap), ports.ka.hap)
  plb = await startPocketlb(cfg('plb', srcPlb))
})

after(async () => {
  for (const r of held.splice(0)) r.destroy()
  await hap?.stop()
  await plb?.stop()
  server.closeAllConnections()
  await new Promise<void>(resolve => server.close(() => resolve()))
})

const both = async <T>(f: (side: 'hap' | 'plb') => Promise<T>): Promise<{ hap: T; plb: T }> =>
  ({ hap: await f('hap'), plb: await f('plb') })

/** Statuses of every answer in <raw>, in order. */
const statuses = (raw: string): number[] => [...raw.matchAll(/HTTP\/1\.1 (\d{3})/g)].map(m => Number(m[1]))

test('HEAD, 204 and 304 answers carry no body; the connection stays usable', async () => {
  const seq = 'HEAD /h HTTP/1.1\r\nHost: a\r\n\r\nGET /204 HTTP/1.1\r\nHost: a\r\n\r\nGET /304 HTTP/1.1\r\nHost: a\r\n\r\n' +
    'GET /last HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n'
  const r = await both(side => rawExchange(ports.ka[side], seq))
  assert.deepEqual(statuses(r.plb), [200, 204, 304, 200])
  assert.deepEqual(statuses(r.plb), statuses(r.hap))
  // the only body is the last one's
  for (const raw of [r.hap, r.plb]) assert.ok(raw.endsWith('\r\n\r\nGET /last\n'), raw)
})

test('Expect: 100-continue: the interim answer comes before the body is sent', async () => {
  const run = (port: number): Promise<string> => new Promise((resolve, reject) => {
    let got = ''
    let sentBody = false
    const s = connect(port, '127.0.0.1', () => s.write('POST /up HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\nExpect: 100-continue\r\nConnection: close\r\n\r\n'))
    const timer = setTimeout(() => { s.destroy(); reject(new Error('no answer: ' + got)) }, 4000)
    s.on('data', d => {
      got += d.toString('latin1')
      if (!sentBody && got.includes('100 Continue\r\n\r\n')) { sentBody = true; s.write('hello') }
    })
    s.on('close', () => { clearTimeout(timer); resolve(got) })
    s.on('error', () => {})
  })
  const r = await both(side => run(ports.ka[side]))
  assert.deepEqual(statuses(r.plb), [100, 200])
  assert.deepEqual(statuses(r.plb), statuses(r.hap))
})

/** Sends three requests on one client connection (pipelined, last with close),
 *  returns how many server connections they used and the statuses received. */
async function threeOnOne (port: number): Promise<{ serverConns: number; statuses: number[] }> {
  const from = seen.length
  const raw = await rawExchange(port, 'GET /1 HTTP/1.1\r\nHost: a\r\n\r\nGET /2 HTTP/1.1\r\nHost: a\r\n\r\nGET /3 HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n')
  return { serverConns: new Set(seen.slice(from).map(s => s.conn)).size, statuses: statuses(raw) }
}

test('connection modes: keep-alive, http-server-close and httpclose as in HAProxy', async () => {
  // only the frontend's httpclose closes the client side; the backend's
  // closes the server side (HAProxy 2.6)
  for (const f of ['sclose', 'close', 'feclose'] as const) {
    const r = await both(side => threeOnOne(ports[f][side]))
    assert.deepEqual(r.plb, r.hap, f)
  }
  assert.equal((await threeOnOne(ports.sclose.plb)).serverConns, 3)
  assert.deepEqual((await threeOnOne(ports.close.plb)), { serverConns: 3, statuses: [200, 200, 200] })
  assert.deepEqual((await threeOnOne(ports.feclose.plb)), { serverConns: 1, statuses: [200] })
  // keep-alive: server connections are kept and reused. Which idle one a
  // request takes is HAProxy's internal choice (it may take an older idle
  // connection of the server over the session's own): only reuse is compared.
  const ka = await both(side => threeOnOne(ports.ka[side]))
  assert.deepEqual(ka.plb.statuses, ka.hap.statuses)
  for (const r of [ka.hap, ka.plb]) assert.ok(r.serverConns < 3, JSON.stringify(r))
})

test('http-reuse safe: a POST opening a client session never rides an idle server connection', async () => {
  const run = async (port: number): Promise<{ postOnFresh: boolean; getReused: boolean }> => {
    // client A leaves an idle server connection behind (keep-alive)
    const a = connect(port, '127.0.0.1')
    a.on('error', () => {})
    await new Promise<void>(resolve => a.once('connect', () => resolve()))
    a.write('GET /a HTTP/1.1\r\nHost: a\r\n\r\n')
    await new Promise<void>(resolve => a.once('data', () => resolve()))
    const before = new Set(seen.map(s => s.conn))
    const post = await rawExchange(port, 'POST /p HTTP/1.1\r\nHost: a\r\nContent-Length: 1\r\nConnection: close\r\n\r\nx')
    assert.equal(statusOf(post), 200)
    const postConn = lastSeen('/p')
    a.write('GET /a2 HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n')
    await new Promise<void>(resolve => a.once('close', () => resolve()))
    const a2 = lastSeen('/a2')
    return { postOnFresh: !before.has(postConn), getReused: before.has(a2) }
  }
  const r = await both(side => run(ports.reuse[side]))
  assert.deepEqual(r.plb, r.hap)
  assert.equal(r.plb.postOnFresh, true)
})

test('server maxconn 1: the second request waits in the queue, then 503 at timeout queue', async () => {
  const run = async (port: number): Promise<number> => {
    const first = rawExchange(port, 'GET /hold HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n', 3000)
    await waitHeld(1)
    const second = await rawExchange(port, 'GET /q HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n', 2000)
    releaseHeld()
    await first
    return statusOf(second)
  }
  const r = await both(side => run(ports.queue[side]))
  assert.equal(r.plb, 503)
  assert.equal(r.plb, r.hap)
})

test('a source port range that runs out is a connect error answered 503, and serving resumes', async () => {
  const run = async (port: number): Promise<number[]> => {
    // two held requests take both source ports; the third finds none
    const holds = [0, 1].map(() => rawExchange(port, 'GET /hold HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n', 3000))
    await waitHeld(2)
    const third = statusOf(await rawExchange(port, 'GET /third HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n', 2500))
    releaseHeld()
    await Promise.all(holds)
    // the ports come back once the connections are closed (TIME_WAIT is on the closing side)
    await new Promise(resolve => setTimeout(resolve, 200))
    const after = statusOf(await rawExchange(port, 'GET /after HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n', 2500))
    return [third, after]
  }
  const r = await both(side => run(ports.srcport[side]))
  assert.equal(r.plb[0], 503)
  assert.deepEqual(r.plb, r.hap)
})

/** The server connection the last request for <url> came on. */
function lastSeen (url: string): number {
  const hit = [...seen].reverse().find(s => s.url === url)
  assert.ok(hit, url)
  return hit.conn
}

async function waitHeld (n: number): Promise<void> {
  const end = Date.now() + 3000
  while (held.length < n && Date.now() < end) await new Promise(resolve => setTimeout(resolve, 10))
  assert.equal(held.length, n, 'requests held by the server')
}

function releaseHeld (): void {
  for (const r of held.splice(0)) {
    r.writeHead(200, { 'content-length': '5', connection: 'close' })
    r.end('held\n')
  }
}
