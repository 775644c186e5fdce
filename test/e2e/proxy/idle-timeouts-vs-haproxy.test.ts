import { test, after } from 'node:test'
import assert from 'node:assert/strict'
import { createServer, connect, type Socket } from 'node:net'
import { startHaproxy } from '../../helpers/haproxy.ts'
import { startPocketlb } from '../../helpers/pocketlb.ts'
import { freePorts } from '../../helpers/net.ts'

// `timeout client` and `timeout server` are inactivity timeouts: a side that
// keeps sending, however slowly, is never cut; a side that goes quiet is cut
// once the period passed since its last byte. (pocketlb keeps these deadlines
// itself instead of Node's socket timers: this checks it against HAProxy, in
// mode http and mode tcp.)

const cleanups: (() => Promise<void>)[] = []
after(async () => { for (const c of cleanups.reverse()) await c() })

const PERIOD = 400
const STEP = 150

/** A server that reads a request head (and <bodyLen> body bytes), then runs <answer>. */
async function server (bodyLen: number, answer: (s: Socket) => void): Promise<number> {
  const open = new Set<Socket>()
  const srv = createServer(s => {
    open.add(s)
    s.on('error', () => {})
    let got = Buffer.alloc(0)
    let answered = false
    s.on('data', d => {
      got = Buffer.concat([got, d])
      const end = got.indexOf('\r\n\r\n')
      if (!answered && end >= 0 && got.length - end - 4 >= bodyLen) { answered = true; answer(s) }
    })
  })
  await new Promise<void>(resolve => srv.listen(0, '127.0.0.1', () => resolve()))
  cleanups.push(() => new Promise(resolve => { for (const s of open) s.destroy(); srv.close(() => resolve()) }))
  const a = srv.address()
  return typeof a === 'object' && a !== null ? a.port : 0
}

/** Sends <parts> <STEP> ms apart, then collects what comes back until the
 *  connection closes (or <maxMs>): the bytes and the time the close came. */
function trickle (port: number, parts: string[], maxMs: number): Promise<{ text: string; closedAfterMs: number }> {
  return new Promise(resolve => {
    const t0 = performance.now()
    const s = connect(port, '127.0.0.1')
    let text = ''
    let i = 0
    const timer = setInterval(() => { if (i < parts.length && !s.destroyed) s.write(parts[i++]) }, STEP)
    const done = (): void => { clearInterval(timer); clearTimeout(guard); s.destroy(); resolve({ text, closedAfterMs: performance.now() - t0 }) }
    const guard = setTimeout(done, maxMs)
    s.on('connect', () => s.write(parts[i++]))
    s.on('data', d => { text += d.toString('latin1') })
    s.on('error', () => {})
    s.on('close', done)
  })
}

/** HAProxy and pocketlb on the same config; the side not under test gets 3 periods
 *  (when both expire together HAProxy answers 504 mid-body: not what is checked here). */
async function bothProxies (backendPort: number, side: 'client' | 'server' | 'both', mode = 'http'): Promise<[number, number]> {
  const [hp, pp] = await freePorts(2)
  const cfg = (port: number): string => `
defaults
  mode ${mode}
  timeout connect 1s
  timeout client ${side !== 'server' ? PERIOD : 3 * PERIOD}ms
  timeout server ${side !== 'client' ? PERIOD : 3 * PERIOD}ms
  timeout http-request 5s
frontend f
  bind 127.0.0.1:${port}
  default_backend b
backend b
  server s1 127.0.0.1:${backendPort}
`
  const hap = await startHaproxy(cfg(hp), hp)
  cleanups.push(() => hap.stop())
  const plb = await startPocketlb(cfg(pp))
  cleanups.push(() => plb.stop())
  return [hp, pp]
}

const head = (len: number): string => `POST / HTTP/1.1\r\nHost: a\r\nContent-Length: ${len}\r\nConnection: close\r\n\r\n`
const ok = 'HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: close\r\n\r\nok'

test('a request body sent slowly for longer than timeout client is not cut; a client gone quiet is', async () => {
  const port = await server(10, s => s.end(ok))
  const [hp, pp] = await bothProxies(port, 'client')
  // 10 body bytes, one every 150 ms: 1.5 s of upload, never 400 ms quiet
  const slow = [head(10), ...'0123456789'.split('')]
  const [h, p] = await Promise.all([trickle(hp, slow, 5000), trickle(pp, slow, 5000)])
  assert.match(h.text, /^HTTP\/1\.1 200/)
  assert.equal(p.text, h.text)
  assert.ok(p.closedAfterMs > 10 * STEP, `answered after the whole body (${p.closedAfterMs} ms)`)
  // 2 body bytes then silence: cut one period after the last byte. (HAProxy 2.6
  // instead waits for its server timeout and answers 504: a known difference,
  // older than these timers; only the timing is checked here.)
  const ps = await trickle(pp, [head(10), '0', '1'], 5000)
  assert.equal(ps.text, '')
  const lastByteAt = 2 * STEP
  assert.ok(ps.closedAfterMs >= lastByteAt + PERIOD - 20 && ps.closedAfterMs < lastByteAt + PERIOD + 1000,
    `cut ${ps.closedAfterMs} ms after connecting`)
})

test('a response trickled for longer than timeout server is not cut; a server gone quiet is', async () => {
  const slowPort = await server(0, s => {
    s.write('HTTP/1.1 200 OK\r\nContent-Length: 8\r\nConnection: close\r\n\r\n')
    let n = 0
    const t = setInterval(() => { if (s.destroyed || n === 8) { clearInterval(t); return } s.write(String(n++)) }, STEP)
  })
  const [hp, pp] = await bothProxies(slowPort, 'server')
  const get = ['GET / HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n']
  const [h, p] = await Promise.all([trickle(hp, get, 5000), trickle(pp, get, 5000)])
  assert.match(h.text, /\r\n\r\n01234567$/)
  assert.equal(p.text.slice(p.text.indexOf('\r\n\r\n')), h.text.slice(h.text.indexOf('\r\n\r\n')))

  const quietPort = await server(0, s => s.write('HTTP/1.1 200 OK\r\nContent-Length: 8\r\nConnection: close\r\n\r\n01'))
  const [qh, qp] = await bothProxies(quietPort, 'server')
  const [hq, pq] = await Promise.all([trickle(qh, get, 5000), trickle(qp, get, 5000)])
  assert.match(hq.text, /\r\n\r\n01$/)
  assert.equal(pq.text.slice(pq.text.indexOf('\r\n\r\n')), hq.text.slice(hq.text.indexOf('\r\n\r\n')))
  assert.ok(pq.closedAfterMs >= PERIOD - 20 && pq.closedAfterMs < PERIOD + 1000, `cut after ${pq.closedAfterMs} ms (HAProxy: ${hq.closedAfterMs})`)
})

test('mode tcp: an echo kept busy for longer than both timeouts stays up, then is cut one period after the last byte', async () => {
  const open = new Set<Socket>()
  const echo = createServer(s => { open.add(s); s.on('error', () => {}); s.pipe(s) })
  await new Promise<void>(resolve => echo.listen(0, '127.0.0.1', () => resolve()))
  cleanups.push(() => new Promise(resolve => { for (const s of open) s.destroy(); echo.close(() => resolve()) }))
  const a = echo.address()
  const [hp, pp] = await bothProxies(typeof a === 'object' && a !== null ? a.port : 0, 'both', 'tcp')
  const bytes = '0123456789'.split('')
  const [h, p] = await Promise.all([trickle(hp, bytes, 5000), trickle(pp, bytes, 5000)])
  assert.equal(h.text, '0123456789')
  assert.equal(p.text, h.text)
  const lastByteAt = (bytes.length - 1) * STEP
  for (const [who, r] of [['HAProxy', h], ['pocketlb', p]] as const) {
    assert.ok(r.closedAfterMs >= lastByteAt + PERIOD - 20 && r.closedAfterMs < lastByteAt + PERIOD + 1000, `${who} cut after ${r.closedAfterMs} ms`)
  }
})
