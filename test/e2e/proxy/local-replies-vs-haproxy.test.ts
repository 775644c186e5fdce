import { test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { connect } from 'node:net'
import { startBackend, type Backend } from '../../helpers/backends.ts'
import { startHaproxy, type RunningHaproxy } from '../../helpers/haproxy.ts'
import { startPocketlb } from '../../helpers/pocketlb.ts'
import { freePorts, rawExchange } from '../../helpers/net.ts'
import { startSyslog } from '../../helpers/syslog.ts'
import type { Engine } from '../../../src/proxy/engine.ts'

// Answers the proxy writes itself, compared with HAProxy 2.6 byte for byte:
// monitor-uri and `monitor fail` (what a VRRP track script or an upstream
// balancer polls) with the live-state fetches nbsrv / srv_is_up / be_conn,
// deny, return and redirect, each for a client that keeps the connection,
// asks to close it, or says nothing; and what gets logged.

let app: Backend
let hap: RunningHaproxy
let plb: Engine
let logs: Awaited<ReturnType<typeof startSyslog>>
const ports = { hap: { f: 0, g: 0 }, plb: { f: 0, g: 0 } }

before(async () => {
  app = await startBackend('app')
  logs = await startSyslog()
  const [hf, hg, pf, pg, dead] = await freePorts(5)
  ports.hap = { f: hf, g: hg }
  ports.plb = { f: pf, g: pg }
  const cfg = (p: { f: number; g: number }, tag: string): string => `
global
  log 127.0.0.1:${logs.port} local0
  log-tag ${tag}
defaults
  mode http
  log global
  option httplog
  timeout connect 1s
  timeout client 5s
  timeout server 5s
frontend f
  bind 127.0.0.1:${p.f}
  monitor-uri /alive
  monitor fail if { nbsrv(gone) lt 1 }
  http-request deny
  default_backend app
frontend g
  bind 127.0.0.1:${p.g}
  monitor-uri /health
  monitor fail unless { srv_is_up(app/s1) }
  http-request return status 200 content-type text/plain lf-string "conn=%[be_conn(app)] nbsrv=%[nbsrv(app)]" if { path /state }
  http-request deny if { path /deny }
  http-request return status 201 content-type text/plain string made hdr x-a b if { path /ret }
  http-request redirect location /elsewhere if { path /red }
  use_backend empty if { path /empty }
  default_backend app
backend empty
backend app
  server s1 127.0.0.1:${app.port}
backend gone
  server dead 127.0.0.1:${dead} check inter 100 fall 1
`
  hap = await startHaproxy(cfg(ports.hap, 'hap'), ports.hap.f)
  plb = await startPocketlb(cfg(ports.plb, 'plb'))
  // the dead server of <gone> is seen DOWN by both (first failed check)
  await new Promise(resolve => setTimeout(resolve, 600))
})

after(async () => {
  await hap?.stop()
  await plb?.stop()
  await app?.close()
  await logs?.close()
})

const ask = (port: number, uri: string, conn = 'Connection: close\r\n'): Promise<string> =>
  rawExchange(port, `GET ${uri} HTTP/1.1\r\nHost: a\r\n${conn}\r\n`, conn.includes('close') ? 1500 : 300)

test('monitor-uri answers before http-request rules; monitor fail turns it into 503', async () => {
  for (const [fe, uri] of [['f', '/alive'], ['g', '/health'], ['g', '/health?x=1'], ['g', '/state'], ['g', '/other']] as const) {
    const h = await ask(ports.hap[fe], uri)
    const p = await ask(ports.plb[fe], uri)
    assert.equal(p, h, `${fe} ${uri}`)
  }
  // what the comparison above covered
  assert.match(await ask(ports.plb.f, '/alive'), /^HTTP\/1\.1 503 /)
  assert.match(await ask(ports.plb.g, '/health'), /^HTTP\/1\.1 200 OK\r\n[^]*Service ready/)
  assert.match(await ask(ports.plb.g, '/state'), /conn=0 nbsrv=1$/)
})

test('deny, return and redirect: same bytes, with connection: close only when the client asked', async () => {
  for (const uri of ['/deny', '/ret', '/red']) {
    for (const conn of ['', 'Connection: close\r\n', 'Connection: keep-alive\r\n']) {
      assert.equal(await ask(ports.plb.g, uri, conn), await ask(ports.hap.g, uri, conn), `${uri} ${JSON.stringify(conn)}`)
    }
  }
  assert.match(await ask(ports.plb.g, '/ret', ''), /^HTTP\/1\.1 201 Created\r\nx-a: b\r\ncontent-length: 4\r\ncontent-type: text\/plain\r\n\r\nmade$/)
})

/** Sends <first>, and once its answer came, `GET /ret` on the same connection: what came
 *  back, and whether the proxy closed the connection within 600 ms of the last answer. */
function conversation (port: number, first: string): Promise<{ text: string; closed: boolean }> {
  return new Promise((resolve, reject) => {
    const s = connect(port, '127.0.0.1', () => s.write(first))
    let text = ''
    let second = false
    let quiet: NodeJS.Timeout | null = null
    const done = (closed: boolean): void => { if (quiet !== null) clearTimeout(quiet); s.destroy(); resolve({ text, closed }) }
    s.on('data', d => {
      text += d.toString('latin1')
      if (!second) { second = true; setTimeout(() => { if (!s.destroyed) s.write('GET /ret HTTP/1.1\r\nHost: a\r\n\r\n') }, 100) }
      if (quiet !== null) clearTimeout(quiet)
      quiet = setTimeout(() => done(false), 600)
    })
    s.on('close', () => done(true))
    s.on('error', reject)
  })
}

test('after a local answer the connection is kept as HAProxy keeps it: next request served, or connection: close', async () => {
  const firsts = [
    'GET /deny HTTP/1.1\r\nHost: a\r\n\r\n',
    'GET /red HTTP/1.1\r\nHost: a\r\n\r\n',
    'GET /empty HTTP/1.1\r\nHost: a\r\n\r\n',
    'GET /deny HTTP/1.0\r\n\r\n',
    'GET /deny HTTP/1.0\r\nConnection: keep-alive\r\n\r\n',
    'GET /red HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n',
    'POST /deny HTTP/1.1\r\nHost: a\r\nContent-Length: 10\r\n\r\n'
  ]
  const seen: string[] = []
  for (const first of firsts) {
    const h = await conversation(ports.hap.g, first)
    const p = await conversation(ports.plb.g, first)
    assert.deepEqual(p, h, JSON.stringify(first))
    seen.push(`${h.closed ? 'closed' : 'kept'} ${(h.text.match(/^HTTP\/1\.1 \d+/gm) ?? []).join(',')}`)
  }
  // what the comparison covered: kept and served again, told to close, closed with the body pending
  assert.deepEqual(seen, [
    'kept HTTP/1.1 403,HTTP/1.1 201', 'kept HTTP/1.1 302,HTTP/1.1 201', 'kept HTTP/1.1 503,HTTP/1.1 201',
    'closed HTTP/1.1 403', 'kept HTTP/1.1 403,HTTP/1.1 201', 'closed HTTP/1.1 302', 'closed HTTP/1.1 403'
  ])
})

test('monitor requests are logged as HAProxy logs them', async () => {
  const before = logs.lines.length
  await ask(ports.hap.g, '/health')
  await ask(ports.plb.g, '/health')
  await new Promise(resolve => setTimeout(resolve, 300))
  const fresh = logs.lines.slice(before)
  const of = (tag: string): string[] => fresh.filter(l => l.includes(` ${tag}[`)).map(l => l.replace(/^.*?\]: /, '').replace(/\S+:\d+ \[[^\]]+\] /, '').replace(/\d+\/\d+\/\d+\/\d+\/\d+/, 'T').replace(/\d+\/\d+\/\d+\/\d+\/\d+/, 'C'))
  assert.deepEqual(of('plb'), of('hap'))
})
