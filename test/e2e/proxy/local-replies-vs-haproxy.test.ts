import { test, before, after } from 'node:test'
import assert from 'node:assert/strict'
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
  default_backend app
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

test('monitor requests are logged as HAProxy logs them', async () => {
  const before = logs.lines.length
  await ask(ports.hap.g, '/health')
  await ask(ports.plb.g, '/health')
  await new Promise(resolve => setTimeout(resolve, 300))
  const fresh = logs.lines.slice(before)
  const of = (tag: string): string[] => fresh.filter(l => l.includes(` ${tag}[`)).map(l => l.replace(/^.*?\]: /, '').replace(/\S+:\d+ \[[^\]]+\] /, '').replace(/\d+\/\d+\/\d+\/\d+\/\d+/, 'T').replace(/\d+\/\d+\/\d+\/\d+\/\d+/, 'C'))
  assert.deepEqual(of('plb'), of('hap'))
})
