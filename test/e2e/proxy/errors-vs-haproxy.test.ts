import { test, after } from 'node:test'
import assert from 'node:assert/strict'
import { createServer, type Server } from 'node:net'
import { startBackend } from '../../helpers/backends.ts'
import { startHaproxy } from '../../helpers/haproxy.ts'
import { startPocketlb } from '../../helpers/pocketlb.ts'
import { freePorts, rawExchange, statusOf } from '../../helpers/net.ts'

// Every error answer HAProxy gives for a dead, slow or broken server, and for a
// slow client, compared with pocketlb's on the same config: status line and body.

const cleanups: (() => Promise<void>)[] = []
after(async () => { for (const c of cleanups.reverse()) await c() })

async function both (cfg: (port: number) => string, raw: string, waitMs: number): Promise<{ hap: string; plb: string }> {
  const [hp, pp] = await freePorts(2)
  const hap = await startHaproxy(cfg(hp), hp)
  cleanups.push(() => hap.stop())
  const plb = await startPocketlb(cfg(pp))
  cleanups.push(() => plb.stop())
  const [h, p] = await Promise.all([rawExchange(hp, raw, waitMs), rawExchange(pp, raw, waitMs)])
  return { hap: h, plb: p }
}

function config (server: string, extra = ''): (port: number) => string {
  return (port) => `
defaults
  mode http
  timeout connect 300ms
  timeout client 2s
  timeout server 500ms
  timeout http-request 400ms
  retries 1
${extra}
frontend f
  bind 127.0.0.1:${port}
  default_backend b
backend b
  ${server}
`
}

/** A server that accepts and then does something rude with the connection. */
async function rudeServer (behaviour: (s: import('node:net').Socket) => void): Promise<number> {
  const open = new Set<import('node:net').Socket>()
  const srv: Server = createServer(s => { open.add(s); s.on('error', () => {}); behaviour(s) })
  await new Promise<void>(r => srv.listen(0, '127.0.0.1', () => r()))
  cleanups.push(() => new Promise(r => { for (const s of open) s.destroy(); srv.close(() => r()) }))
  const a = srv.address()
  return typeof a === 'object' && a !== null ? a.port : 0
}

const GET = 'GET / HTTP/1.1\r\nHost: a\r\n\r\n'

test('503 when the backend has no server', async () => {
  const r = await both(config('balance roundrobin'), GET, 1500)
  assert.equal(statusOf(r.hap), 503)
  assert.equal(r.plb, r.hap)
})

test('503 when the server refuses connections (after retries)', async () => {
  const [dead] = await freePorts(1)
  const r = await both(config(`server s1 127.0.0.1:${dead}`), GET, 4000)
  assert.equal(statusOf(r.hap), 503)
  assert.equal(r.plb, r.hap)
})

test('504 when the server does not answer in time', async () => {
  const port = await rudeServer(() => { /* reads, never answers */ })
  const r = await both(config(`server s1 127.0.0.1:${port}`), GET, 2500)
  assert.equal(statusOf(r.hap), 504)
  assert.equal(r.plb, r.hap)
})

test('502 when the server answers garbage', async () => {
  const port = await rudeServer(s => { s.on('data', () => s.end('this is not http\r\n\r\n')) })
  const r = await both(config(`server s1 127.0.0.1:${port}`), GET, 2000)
  assert.equal(statusOf(r.hap), 502)
  assert.equal(r.plb, r.hap)
})

test('502 when the server closes before answering', async () => {
  const port = await rudeServer(s => { s.on('data', () => s.destroy()) })
  const r = await both(config(`server s1 127.0.0.1:${port}`), GET, 2000)
  assert.equal(statusOf(r.hap), 502)
  assert.equal(r.plb, r.hap)
})

test('408 when the client is too slow to send its request', async () => {
  const be = await startBackend('s1')
  cleanups.push(() => be.close())
  const r = await both(config(`server s1 127.0.0.1:${be.port}`), 'GET / HTTP/1.1\r\nHost: a\r\n', 2000)
  assert.equal(statusOf(r.hap), 408)
  assert.equal(r.plb, r.hap)
})

test('403 from http-request deny, with the same page', async () => {
  const be = await startBackend('s1')
  cleanups.push(() => be.close())
  const cfg = (port: number): string => config(`server s1 127.0.0.1:${be.port}`)(port).replace('default_backend b', 'http-request deny if { path_beg /admin }\n  default_backend b')
  const r = await both(cfg, 'GET /admin/x HTTP/1.1\r\nHost: a\r\n\r\n', 1500)
  assert.equal(statusOf(r.hap), 403)
  assert.equal(r.plb, r.hap)
})

test('errorfile replaces the 503 page', async () => {
  const { mkdtempSync, writeFileSync } = await import('node:fs')
  const { join } = await import('node:path')
  const { tmpdir } = await import('node:os')
  const dir = mkdtempSync(join(tmpdir(), 'plb-ef-'))
  const file = join(dir, '503.http')
  writeFileSync(file, 'HTTP/1.0 503 Service Unavailable\r\nCache-Control: no-cache\r\nConnection: close\r\nContent-Type: text/plain\r\n\r\nsorry, we are down\n')
  const r = await both(config('balance roundrobin', `  errorfile 503 ${file}`), GET, 1500)
  assert.match(r.hap, /sorry, we are down/)
  assert.equal(r.plb, r.hap)
})
