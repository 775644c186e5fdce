import { test, after } from 'node:test'
import assert from 'node:assert/strict'
import { join } from 'node:path'
import { loadConfigFiles } from '../../../src/config/load.ts'
import type { BackendPlan, FrontendPlan, Plan } from '../../../src/config/plan.ts'
import type { StreamView } from '../../../src/core/stream-view.ts'
import { addHeader, newHead } from '../../../src/core/http-head.ts'
import { haproxyCheck } from './haproxy-check.ts'
import { seedsCopy } from '../../helpers/seeds.ts'

/** The seed scenarios' configurations (test/fixtures/config/seeds) compile,
 *  with their key values, and HAProxy 2.6 agrees — except where HAProxy
 *  itself rejects them, for the reason given here. */
const seeds = seedsCopy()
const dir = seeds.dir
after(() => seeds.remove())

const HAPROXY_REJECTS: Readonly<Record<string, string>> = {
  '000-websocket-slow.cfg': "option 'forceclose' is not supported any more since HAProxy 2.0",
  '001-static-split.cfg': "unknown fetch method 'req.hdr_beg'",
  '001-varnish-hashing.cfg': "unknown fetch method 'req.uri'",
  '003-websocket-memory.cfg': 'nbproc is not supported any more since HAProxy 2.5',
  '004-close-wait.cfg': 'nbproc is not supported any more since HAProxy 2.5'
}

function load (name: string): Plan {
  const path = join(dir, name)
  const r = loadConfigFiles([path], { env: {} })
  assert.ok(r.ok, r.ok ? '' : r.alerts.join('\n'))
  const h = haproxyCheck(path)
  const reason = HAPROXY_REJECTS[name]
  if (reason === undefined) assert.ok(h.ok, `haproxy -c rejects ${name}:\n${h.output}`)
  else {
    assert.equal(h.ok, false)
    assert.ok(h.output.includes(reason), h.output)
  }
  return r.plan
}

const fe = (p: Plan, name: string): FrontendPlan => {
  const f = p.frontends.find(x => x.name === name)
  assert.ok(f, `frontend ${name}`)
  return f
}
const be = (p: Plan, name: string): BackendPlan => {
  const b = p.backends.get(name)
  assert.ok(b, `backend ${name}`)
  return b
}

function request (uri: string, headers: Record<string, string>): StreamView {
  const req = newHead()
  req.method = 'GET'; req.uri = uri
  for (const [k, v] of Object.entries(headers)) addHeader(req, k, v)
  return { srcAddr: '127.0.0.1', srcPort: 40000, dstAddr: '127.0.0.1', dstPort: 80, feName: 'f', beName: '', req, res: null, vars: new Map() }
}

test('seed 000: defaults, websocket switching, forceclose handled as httpclose', () => {
  const p = load('000-websocket-slow.cfg')
  const f = fe(p, 'proxy')
  assert.equal(f.maxconn, 200000)
  assert.equal(f.timeouts.client, 24 * 3600 * 1000)
  assert.equal(f.timeouts.connect, 5000)
  assert.equal(f.defaultBackend, 'webapp')
  assert.deepEqual(f.statsPage?.auth, [{ user: 'aa', password: 'bb' }])
  assert.equal(f.logs.length, 1)
  assert.equal(f.logs[0]?.port, 20514)
  assert.equal(f.logs[0]?.facility, 16)
  const rule = f.switchRules[0]
  assert.equal(rule?.backend, 'websocket')
  assert.equal(rule?.cond?.(request('/', { Host: 'chat.ws.example.com' })), true)
  assert.equal(rule?.cond?.(request('/', { Host: 'www.example.org' })), false)
  const web = be(p, 'webapp')
  assert.equal(web.httpConnMode, 'server-close')
  assert.deepEqual([web.check.kind, web.check.httpMethod, web.check.httpUri, web.check.httpVersion], ['http', 'HEAD', '/check.txt', 'HTTP/1.0'])
  assert.deepEqual(web.servers.map(s => [s.name, s.port, s.weight, s.cookie, s.check.enabled]),
    [['app1', 28101, 10, 'app1', true], ['app2', 28102, 15, 'app2', true], ['app3', 28103, 15, 'app3', true]])
  assert.equal(web.timeouts.server, 60000)
  const ws = be(p, 'websocket')
  assert.equal(ws.balance.algo, 'source')
  assert.equal(ws.httpConnMode, 'close')
  assert.equal(ws.forwardFor?.header, 'X-Forwarded-For')
})

test('seed 001: static/dynamic split with ACLs', () => {
  const p = load('001-static-split.cfg')
  const f = fe(p, 'ft_public')
  const cond = f.switchRules[0]?.cond
  assert.ok(cond)
  assert.equal(cond(request('/a', { Host: 'static.example.com' })), true)
  assert.equal(cond(request('/img/logo.PNG', { Host: 'www.example.com' })), true)
  assert.equal(cond(request('/index.php', { Host: 'www.example.com' })), false)
  assert.equal(be(p, 'bk_static').hashType.method, 'consistent')
  assert.equal(be(p, 'bk_static').balance.algo, 'uri')
})

test('seed 001: every hashing variant', () => {
  const p = load('001-varnish-hashing.cfg')
  assert.equal(be(p, 'bk_static_uri').balance.uriWhole, false)
  assert.equal(be(p, 'bk_static_whole').balance.uriWhole, true)
  assert.deepEqual([be(p, 'bk_static_param').balance.algo, be(p, 'bk_static_param').balance.param], ['url_param', 'id'])
  assert.deepEqual([be(p, 'bk_static_host').balance.algo, be(p, 'bk_static_host').balance.hdrName], ['hdr', 'host'])
  const xlb = be(p, 'bk_static_xlb')
  assert.equal(xlb.balance.hdrName, 'x-lb')
  assert.equal(xlb.httpRequestRules.length, 1)
  for (const b of p.backends.values()) assert.equal(b.hashType.method, 'consistent')
})

test('seed 001: host to backend with ACLs and with a map', () => {
  const p = load('001-host-map.cfg')
  const acl = fe(p, 'ft_allapps_acl')
  assert.equal(acl.switchRules[1]?.cond?.(request('/', { Host: 'WWW.APP2.example.com' })), true)
  const map = fe(p, 'ft_allapps')
  const dyn = map.switchRules[0]?.dynamic
  assert.ok(dyn)
  assert.equal(map.switchRules[0]?.backend, null)
  assert.equal(dyn(request('/', { Host: 'App1.Example.com' })), 'bk_app1')
  assert.equal(dyn(request('/', { Host: 'unknown.test' })), 'bk_default')
})

test('seed 001: Redis master tcp-check sequence', () => {
  const p = load('001-redis-master.cfg')
  const b = be(p, 'bk_redis')
  assert.equal(b.mode, 'tcp')
  assert.equal(b.check.kind, 'tcp-check')
  assert.deepEqual(b.check.steps.map(s => s.t === 'send' ? `send:${s.data.toString()}` : s.t === 'expect' ? `expect:${s.what}:${s.pattern}` : s.t),
    ['send:PING\r\n', 'expect:string:+PONG', 'send:info replication\r\n', 'expect:string:role:master', 'send:QUIT\r\n', 'expect:string:+OK'])
  assert.deepEqual(b.servers.map(s => s.check.inter), [1000, 1000])
  assert.equal(fe(p, 'ft_redis').binds[0]?.name, 'redis')
})

test('seed 001: header captures and TLS bind words kept raw', () => {
  const p = load('001-syslog-url.cfg')
  const f = fe(p, 'ft_http')
  assert.deepEqual(f.captures.map(c => [c.name, c.lname, c.len]), [['Host', 'host', 32], ['User-Agent', 'user-agent', 200]])
  assert.equal(f.binds[0]?.ssl, true)
  assert.deepEqual(f.binds[0]?.sslWords, ['crt', 'haproxy.pem'])
  assert.equal(f.logFormat, 'httplog')
  assert.equal(f.logs[0]?.facility, 18)
  assert.equal(f.httpConnMode, 'server-close')
})

test('seed 001: MySQL farm with source addresses and port ranges', () => {
  const p = load('001-mysql-source.cfg')
  const l = be(p, 'mysql_read')
  assert.equal(l.isListen, true)
  assert.equal(fe(p, 'mysql_read').defaultBackend, 'mysql_read')
  assert.equal(l.check.kind, 'mysql')
  assert.equal(l.balance.algo, 'leastconn')
  assert.deepEqual(l.servers.map(s => s.source), [
    { addr: '127.0.0.2', portLow: 0, portHigh: 0 }, { addr: '127.0.0.3', portLow: 0, portHigh: 0 },
    { addr: '127.0.0.2', portLow: 1025, portHigh: 65000 }, { addr: '127.0.0.3', portLow: 1025, portHigh: 65000 }])
})

test('seed 001: websockets, simple configuration (defaults everywhere)', () => {
  const p = load('001-websocket-simple.cfg')
  const f = fe(p, 'ft_web')
  assert.equal(f.maxconn, 10000)
  assert.equal(f.backlog, 10000)
  assert.equal(f.dontlognull, true)
  const b = be(p, 'bk_web')
  assert.deepEqual({ ...b.timeouts }, { client: 25000, server: 25000, connect: 5000, httpRequest: 15000, httpKeepAlive: 1000, queue: 30000, tunnel: 3600000, clientFin: 0, serverFin: 0, check: 0, tarpit: 60000 })
  assert.equal(b.retries, 3)
  assert.equal(b.redispatch, true)
  assert.deepEqual(b.servers.map(s => [s.check.inter, s.check.rise, s.check.fall, s.maxconn]), [[3000, 2, 3, 10000], [3000, 2, 3, 10000]])
})

test('seed 001: websockets, advanced (validation rules, websocket health check)', () => {
  const p = load('001-websocket-advanced.cfg')
  const f = fe(p, 'ft_web')
  const upgrade = request('/', { Host: 'www.example.com', Connection: 'Upgrade', Upgrade: 'websocket' })
  assert.equal(f.switchRules[1]?.cond?.(upgrade), true)
  assert.equal(f.switchRules[1]?.cond?.(request('/', { Host: 'www.example.com' })), false)
  const ws = be(p, 'bk_ws')
  assert.equal(ws.httpRequestRules.length, 2)
  assert.equal(ws.check.httpMethod, 'GET')
  assert.equal(ws.check.httpVersion, 'HTTP/1.1')
  assert.ok(ws.check.httpExtra.startsWith('Host: ws.domain.com\r\nConnection: Upgrade\r\n'))
  assert.ok(ws.check.httpExtra.endsWith('Sec-WebSocket-Protocol: echo-protocol'))
  assert.deepEqual(ws.check.steps, [{ t: 'expect', negate: false, what: 'status', pattern: '101', min: false, comment: null }])
  assert.ok(p.warnings.some(w => w.includes("'option httpchk' : hiding headers")))
})

test('seed 003: global sizing; nbproc ignored with a warning', () => {
  const p = load('003-websocket-memory.cfg')
  assert.equal(p.global.maxconn, 300000)
  assert.equal(p.global.tune.bufsize, 16384)
  assert.equal(p.frontends.length, 0)
  assert.ok(p.warnings.some(w => w.includes("'nbproc'") && w.includes(':5]')))
})

test('seed 004: localhost server, keep-alive by default', () => {
  const p = load('004-close-wait.cfg')
  assert.equal(p.global.maxconn, 500)
  const f = fe(p, 'all')
  assert.equal(f.timeouts.client, 86400000)
  assert.equal(f.httpConnMode, 'keep-alive')
  const b = be(p, 'nginx')
  assert.deepEqual([b.servers[0]?.host, b.servers[0]?.port], ['127.0.0.1', 8000])
  assert.deepEqual([b.timeouts.httpKeepAlive, b.timeouts.server, b.timeouts.connect], [5000, 10000, 4000])
  assert.throws(() => { (b.servers as unknown as unknown[]).push(1) }, TypeError)
  assert.throws(() => { (p.backends as Map<string, unknown>).set('x', 1) }, TypeError)
})
