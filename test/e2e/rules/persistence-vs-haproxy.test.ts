import { test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { startBackend, type Backend } from '../../helpers/backends.ts'
import { startHaproxy, type RunningHaproxy } from '../../helpers/haproxy.ts'
import { startPocketlb } from '../../helpers/pocketlb.ts'
import { freePorts, rawExchange } from '../../helpers/net.ts'
import { startSyslog } from '../../helpers/syslog.ts'
import type { Engine } from '../../../src/proxy/engine.ts'

// Cookie persistence, stick tables and rate limiting compared with HAProxy 2.6
// on the same config: whole response heads (Set-Cookie and Cache-Control as
// HAProxy writes them), the server chosen, and the Cookie header the server gets.

let s1: Backend
let s2: Backend
let hap: RunningHaproxy
let plb: Engine
let hapLog: Awaited<ReturnType<typeof startSyslog>>
let plbLog: Awaited<ReturnType<typeof startSyslog>>
const hapPorts: number[] = []
const plbPorts: number[] = []
const SITES = ['ins', 'rw', 'pfx', 'plain', 'down', 'stick', 'rate', 'redisp', 'force'] as const
type Site = typeof SITES[number]

/** Backend answer whose headers come from the query string (?Set-Cookie=...&Last-Modified=...). */
function headersFromQuery (name: string): Parameters<typeof startBackend>[1] {
  return (req, res) => {
    const u = new URL(req.url ?? '/', 'http://x')
    const h: Record<string, string> = { 'content-type': 'text/plain', 'x-server': name, 'x-cookie-seen': req.headers.cookie ?? '-' }
    for (const [k, v] of u.searchParams) h[k] = v
    const body = name + '\n'
    res.writeHead(200, { ...h, 'content-length': String(body.length) })
    res.end(body)
    return true
  }
}

function config (ports: number[], deadPort: number, logPort: number): string {
  const bind = (s: Site): string => `  bind 127.0.0.1:${ports[SITES.indexOf(s)]}`
  const servers = (ck: boolean): string =>
    `  server s1 127.0.0.1:${s1.port}${ck ? ' cookie c1' : ''}\n  server s2 127.0.0.1:${s2.port}${ck ? ' cookie c2' : ''}`
  return `
defaults
  mode http
  log 127.0.0.1:${logPort} local0
  log-format "%b %s tsc=%tsc"
  timeout connect 1s
  timeout client 5s
  timeout server 5s
listen ins
${bind('ins')}
  cookie SRV insert indirect nocache httponly secure domain .example.com attr "SameSite=Strict" attr "Partitioned"
${servers(true)}
listen rw
${bind('rw')}
  cookie SRV rewrite
${servers(true)}
listen pfx
${bind('pfx')}
  cookie SRV prefix
${servers(true)}
listen plain
${bind('plain')}
  cookie SRV insert
${servers(true)}
listen down
${bind('down')}
  cookie SRV insert indirect
${servers(true)}
  server s3 127.0.0.1:${s2.port} cookie c3 disabled
listen stick
${bind('stick')}
  stick-table type string len 16 size 10 expire 1m
  stick on req.hdr(x-user)
${servers(false)}
listen rate
${bind('rate')}
  stick-table type ip size 100 expire 30s store http_req_rate(10s),gpc0
  http-request track-sc0 src
  http-request sc-inc-gpc0(0) if { path_beg /inc }
  http-request deny deny_status 429 if { sc_http_req_rate(0) gt 3 }
  http-request return status 200 content-type text/plain lf-string "rate=%[sc_http_req_rate(0)] gpc0=%[sc_get_gpc0(0)] cur=%[sc0_conn_cur]" if { path_beg /show }
${servers(false)}
listen redisp
${bind('redisp')}
  option redispatch
  retries 1
  cookie SRV insert indirect
  server s1 127.0.0.1:${s1.port} cookie c1
  server dead 127.0.0.1:${deadPort} cookie cd
listen force
${bind('force')}
  cookie SRV insert indirect
  force-persist if { hdr(x-force) -m found }
  ignore-persist if { path_beg /ignore }
  server s1 127.0.0.1:${s1.port} cookie c1
  server s2 127.0.0.1:${s2.port} cookie c2 disabled
`
}

before(async () => {
  s1 = await startBackend('s1', headersFromQuery('s1'))
  s2 = await startBackend('s2', headersFromQuery('s2'))
  const ports = await freePorts(SITES.length * 2 + 1)
  hapPorts.push(...ports.slice(0, SITES.length))
  plbPorts.push(...ports.slice(SITES.length, 2 * SITES.length))
  const dead = ports[2 * SITES.length] // nothing listens there
  hapLog = await startSyslog()
  plbLog = await startSyslog()
  hap = await startHaproxy(config(hapPorts, dead, hapLog.port), hapPorts[0])
  plb = await startPocketlb(config(plbPorts, dead, plbLog.port))
})

after(async () => {
  await hap?.stop()
  await plb?.stop()
  await s1?.close()
  await s2?.close()
  await hapLog?.close()
  await plbLog?.close()
})

/** The response head without its date line (and the body). */
async function exchange (ports: number[], site: Site, path: string, headers: string[] = []): Promise<string> {
  const raw = `GET ${path} HTTP/1.1\r\nHost: x\r\n${headers.map(h => h + '\r\n').join('')}Connection: close\r\n\r\n`
  const r = await rawExchange(ports[SITES.indexOf(site)], raw)
  return r.split('\r\n\r\n')[0].split('\r\n').filter(l => !/^date:/i.test(l)).join('\n')
}

async function both (site: Site, path: string, headers: string[] = []): Promise<string> {
  const h = await exchange(hapPorts, site, path, headers)
  const p = await exchange(plbPorts, site, path, headers)
  assert.equal(p, h, `${site} ${path} ${headers.join(' ')}`)
  return h
}

test('insert indirect nocache httponly secure domain attr: Set-Cookie and Cache-Control as HAProxy writes them', async () => {
  const first = await both('ins', '/?last-modified=Mon')
  assert.match(first, /set-cookie: SRV=c1; path=\/; domain=\.example\.com; HttpOnly; Secure; SameSite=Strict; Partitioned\ncache-control: private/)
  const back = await both('ins', '/', ['Cookie: a=1; SRV=c2; b=2'])
  assert.match(back, /x-server: s2\nx-cookie-seen: a=1; b=2/, 'indirect: the cookie is taken out of the request')
  assert.doesNotMatch(back, /set-cookie/)
  await both('ins', '/?cache-control=public')
  await both('ins', '/?set-cookie=SRV%3Dapp', ['Cookie: SRV=c1'])
  await both('ins', '/?set-cookie=SRV%3Dapp&expires=x', ['Cookie: SRV=zz'])
  await both('ins', '/', ['Cookie: SRV=c1'])
})

test('rewrite and prefix modes change the server cookie; prefix is stripped from requests', async () => {
  assert.match(await both('rw', '/?set-cookie=SRV%3Dapp%3B%20path%3D%2F'), /set-cookie: SRV=c1; path=\//)
  assert.match(await both('pfx', '/?set-cookie=SRV%3Dapp%3B%20path%3D%2F'), /set-cookie: SRV=c1~app; path=\//)
  assert.match(await both('pfx', '/', ['Cookie: SRV=c1~sess42; x=y']), /x-server: s1\nx-cookie-seen: SRV=sess42; x=y/)
})

test('insert without indirect keeps the cookie; a cookie naming a down server is rebalanced and replaced', async () => {
  assert.match(await both('plain', '/', ['Cookie: SRV=c2']), /x-server: s2\nx-cookie-seen: SRV=c2/)
  const d = await both('down', '/', ['Cookie: SRV=c3'])
  assert.match(d, /set-cookie: SRV=c[12]; path=\//)
})

test('option redispatch: a cookie naming a dead server ends on a live one with a new cookie', async () => {
  const r = await both('redisp', '/', ['Cookie: SRV=cd'])
  assert.match(r, /x-server: s1[\s\S]*set-cookie: SRV=c1; path=\//)
})

test('force-persist reaches a server in maintenance; ignore-persist balances and inserts nothing', async () => {
  assert.match(await both('force', '/', ['Cookie: SRV=c2', 'X-Force: 1']), /x-server: s2/)
  assert.match(await both('force', '/', ['Cookie: SRV=c2']), /x-server: s1[\s\S]*set-cookie: SRV=c1/)
  assert.doesNotMatch(await both('force', '/ignore', ['Cookie: SRV=c1']), /set-cookie/)
})

test('stick on req.hdr(x-user): each user stays on the server of its first request', async () => {
  const seq = async (ports: number[]): Promise<string[]> => {
    const out: string[] = []
    for (const u of ['a', 'b', 'a', 'c', 'b', 'c', 'a']) out.push(/x-server: (\w+)/.exec(await exchange(ports, 'stick', '/', [`X-User: ${u}`]))?.[1] ?? '?')
    return out
  }
  const h = await seq(hapPorts)
  assert.deepEqual(h, ['s1', 's2', 's1', 's1', 's2', 's1', 's1'])
  assert.deepEqual(await seq(plbPorts), h)
})

test('rate limiting: track-sc0 src, sc-inc-gpc0, deny 429 over 3 requests per 10s', async () => {
  const seq = async (ports: number[]): Promise<string[]> => {
    const out: string[] = []
    for (const p of ['/show', '/inc', '/show', '/x', '/show']) {
      const r = await exchange(ports, 'rate', p)
      out.push(r.split('\n')[0])
    }
    return out
  }
  const h = await seq(hapPorts)
  assert.deepEqual(h.map(l => l.split(' ')[1]), ['200', '200', '200', '429', '429'])
  assert.deepEqual(await seq(plbPorts), h)
  const body = async (ports: number[]): Promise<string> => (await rawExchange(ports[SITES.indexOf('rate')], 'GET /show HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n')).split('\r\n\r\n')[1]
  // both are over the limit now: the denial comes before the return rule
  assert.equal(await body(plbPorts), await body(hapPorts))
})

test('the log termination state carries the persistence cookie flags as HAProxy sets them', async () => {
  await new Promise(resolve => setTimeout(resolve, 300))
  const flags = (lines: string[]): string[] => lines.map(l => /(\S+ \S+ tsc=\S+)/.exec(l)?.[1] ?? l).filter(l => /^(ins|rw|pfx|plain|down|redisp|force) s/.test(l))
  const h = flags(hapLog.lines)
  assert.ok(h.length >= 10, 'HAProxy logged the cookie requests')
  assert.ok(h.some(l => l.endsWith('--NI')) && h.some(l => l.endsWith('--VN')) && h.some(l => /--D/.test(l)))
  assert.deepEqual(flags(plbLog.lines), h)
})
