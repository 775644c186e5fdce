import { test } from 'node:test'
import assert from 'node:assert/strict'
import { join } from 'node:path'
import { loadConfigSources } from '../../../src/config/load.ts'
import type { Plan } from '../../../src/config/plan.ts'

const fixtures = join(import.meta.dirname, '../../fixtures/config')
const T = '  timeout client 5s\n  timeout server 5s\n  timeout connect 5s\n'

function ok (text: string): Plan {
  const r = loadConfigSources([{ path: 'k.cfg', text }], { env: {}, baseDir: fixtures })
  assert.ok(r.ok, r.ok ? '' : r.alerts.join('\n'))
  return r.plan
}
function alerts (text: string): string[] {
  const r = loadConfigSources([{ path: 'k.cfg', text }], { env: {}, baseDir: fixtures })
  assert.ok(!r.ok, 'expected a failure')
  return r.alerts
}

test('global: log forms, log-tag, stats socket, tune, ignored keywords', () => {
  const p = ok(['global',
    '  log stdout format raw local0 info',
    '  log 127.0.0.1:10514 len 2048 format rfc5424 local7 err notice',
    '  log 127.0.0.1 local1',
    '  log udp@[::1]:5514 daemon',
    '  log /dev/log local2',
    '  log-tag plb',
    '  log-send-hostname box1',
    '  stats socket /run/plb.sock mode 600 level admin expose-fd listeners',
    '  stats socket ipv4@127.0.0.1:29999 level user',
    '  stats socket fd@5',
    '  stats timeout 30s',
    '  tune.bufsize 32k', '  tune.maxrewrite 2048', '  tune.http.maxhdr 64',
    '  daemon', '  chroot /var/empty', '  nbthread 4'].join('\n'))
  const g = p.global
  assert.deepEqual(g.logs.map(l => [l.kind, l.host, l.port, l.path, l.maxLen, l.format, l.facility, l.maxLevel, l.minLevel]), [
    ['stdout', '', 0, '', 1024, 'raw', 16, 6, 0],
    ['udp', '127.0.0.1', 10514, '', 2048, 'rfc5424', 23, 3, 5],
    ['udp', '127.0.0.1', 514, '', 1024, 'rfc3164', 17, 7, 0],
    ['udp', '::1', 5514, '', 1024, 'rfc3164', 3, 7, 0],
    ['unix', '', 0, '/dev/log', 1024, 'rfc3164', 18, 7, 0]])
  assert.equal(g.logTag, 'plb')
  assert.equal(g.logSendHostname, 'box1')
  assert.deepEqual(g.statsSockets.map(s => [s.kind, s.path, s.host, s.port, s.fd, s.level, s.mode]), [
    ['unix', '/run/plb.sock', '', 0, -1, 'admin', 0o600], ['tcp', '', '127.0.0.1', 29999, -1, 'user', 0], ['fd', '', '', 0, 5, 'operator', 0]])
  assert.equal(g.statsTimeout, 30000)
  assert.deepEqual({ ...g.tune }, { bufsize: 32768, maxrewrite: 2048, maxhdr: 64 })
  assert.equal(p.warnings.filter(w => w.includes('has no effect on this device')).length, 3)
})

test('bind forms and options', () => {
  const p = ok(['frontend f', T, '  mode tcp',
    '  bind 127.0.0.1:29001,:29002,[::1]:29003 name web maxconn 50 accept-proxy',
    '  bind ipv6@:::29004 v6only', '  bind *:29005-29007 v4v6', '  bind unix@/tmp/plb.sock', '  bind "fd@${FD}"',
    '  bind 127.0.0.1:29008 crt /x.pem alpn h2,http/1.1 process 1',
    '  default_backend b', 'backend b', '  mode tcp', '  server s 127.0.0.1:1'].join('\n').replace('"fd@${FD}"', 'fd@7'))
  const b = p.frontends[0]?.binds ?? []
  assert.deepEqual(b.map(x => [x.kind, x.host, x.port, x.portEnd, x.path, x.fd, x.name, x.maxconn, x.acceptProxy, x.v4v6, x.v6only, x.ssl]), [
    ['tcp', '127.0.0.1', 29001, 29001, '', -1, 'web', 50, true, false, false, false],
    ['tcp', '', 29002, 29002, '', -1, 'web', 50, true, false, false, false],
    ['tcp', '::1', 29003, 29003, '', -1, 'web', 50, true, false, false, false],
    ['tcp', '::', 29004, 29004, '', -1, '', 0, false, false, true, false],
    ['tcp', '', 29005, 29007, '', -1, '', 0, false, true, false, false],
    ['unix', '', 0, 0, '/tmp/plb.sock', -1, '', 0, false, false, false, false],
    ['fd', '', 0, 0, '', 7, '', 0, false, false, false, false],
    ['tcp', '127.0.0.1', 29008, 29008, '', -1, '', 0, false, false, false, false]])
  assert.deepEqual(b[7]?.sslWords, ['crt', '/x.pem', 'alpn', 'h2,http/1.1'])
  assert.ok(p.warnings.some(w => w.includes("'bind' option 'process'")))
})

test('server options, default-server, ids', () => {
  const p = ok(['backend b', T,
    '  default-server inter 3s fall 5 maxconn 20',
    '  server a 127.0.0.1:1 weight 0 maxqueue 7 minconn 2 check fastinter 500 downinter 10s rise 4 port 9000 addr 127.0.0.9 backup cookie A id 10',
    '  server b 127.0.0.1 disabled source 127.0.0.5:2000-2100 on-marked-down shutdown-sessions on-marked-up shutdown-backup-sessions slowstart 30s send-proxy-v2',
    '  server c /run/app.sock ssl verify none sni str(x) agent-check agent-port 5555 agent-inter 4s check-ssl'].join('\n'))
  const [a, b, c] = p.backends.get('b')?.servers ?? []
  assert.ok(a && b && c)
  assert.deepEqual([a.id, a.weight, a.maxconn, a.maxqueue, a.minconn, a.backup, a.cookie], [10, 0, 20, 7, 2, true, 'A'])
  assert.deepEqual({ ...a.check }, { enabled: true, inter: 3000, fastinter: 500, downinter: 10000, rise: 4, fall: 5, port: 9000, addr: '127.0.0.9', agent: null, checkSsl: false })
  assert.deepEqual([b.id, b.port, b.disabled, b.source, b.onMarkedDown, b.onMarkedUp, b.slowstart, b.sendProxy, b.check.enabled, b.check.fastinter],
    [1, 0, true, { addr: '127.0.0.5', portLow: 2000, portHigh: 2100 }, 'shutdown-sessions', 'shutdown-backup-sessions', 30000, 2, false, 3000])
  assert.deepEqual([c.id, c.host, c.unixPath, c.ssl, c.sslWords, c.check.agent, c.check.checkSsl],
    [2, '', '/run/app.sock', true, ['verify', 'none', 'sni', 'str(x)'], { port: 5555, inter: 4000, send: '' }, true])
})

test('server errors', () => {
  assert.match(alerts('backend b\n  server a 127.0.0.1:1 wieght 3\n')[0] ?? '', /\[k\.cfg:2\] : 'server b\/a' : unknown keyword 'wieght'; did you mean 'weight' maybe \?/)
  assert.match(alerts('backend b\n  server a 127.0.0.1:1 rise 0\n')[0] ?? '', /\[k\.cfg:2\] .*'rise'/)
  assert.match(alerts('backend b\n  server a 127.0.0.1:1 id 3\n  server c 127.0.0.1:1 id 3\n')[0] ?? '', /\[k\.cfg:3\] : 'server b\/c' : custom id 3 already used/)
  assert.match(alerts('backend b\n  server a 127.0.0.1:1 on-marked-down kill\n')[0] ?? '', /'on-marked-down'/)
})

test('balance forms and hash-type', () => {
  const algos = ['roundrobin', 'static-rr', 'leastconn', 'first', 'source', 'uri path-only len 12 depth 3', 'url_param sid check_post',
    'hdr(Host) use_domain_only', 'random', 'random(3)', 'rdp-cookie']
  const p = ok(['defaults', '  mode http', T, ...algos.map((a, i) => `backend b${i}\n  balance ${a}\n  hash-type consistent djb2 avalanche\n  server s 127.0.0.1:1`)].join('\n'))
  const bal = (i: number) => p.backends.get(`b${i}`)?.balance
  assert.deepEqual(algos.map((_, i) => bal(i)?.algo), ['roundrobin', 'static-rr', 'leastconn', 'first', 'source', 'uri', 'url_param', 'hdr', 'random', 'random', 'rdp-cookie'])
  assert.deepEqual([bal(5)?.uriPathOnly, bal(5)?.uriLen, bal(5)?.uriDepth, bal(6)?.param, bal(7)?.hdrName, bal(7)?.hdrDomainOnly, bal(8)?.draws, bal(9)?.draws, bal(10)?.param],
    [true, 12, 3, 'sid', 'host', true, 2, 3, 'mstshash'])
  assert.deepEqual({ ...p.backends.get('b0')?.hashType }, { method: 'consistent', fn: 'djb2', avalanche: true })
  // HAProxy applies avalanche to `hash-type consistent` given without a function, not otherwise
  const ht = (words: string) => ok(`backend b\n${T}  hash-type ${words}\n  server s 127.0.0.1:1\n`).backends.get('b')?.hashType
  assert.deepEqual({ ...ht('consistent') }, { method: 'consistent', fn: 'sdbm', avalanche: true })
  assert.deepEqual({ ...ht('consistent sdbm') }, { method: 'consistent', fn: 'sdbm', avalanche: false })
  assert.deepEqual({ ...ht('map-based') }, { method: 'map-based', fn: 'sdbm', avalanche: false })
  assert.match(alerts('backend b\n  balance uri sideways\n')[0] ?? '', /\[k\.cfg:2\] : 'balance uri' only accepts/)
  const tcp = ok(`backend b\n${T}  mode tcp\n  balance uri\n  server s 127.0.0.1:1\n`)
  assert.equal(tcp.backends.get('b')?.balance.algo, 'roundrobin')
  assert.ok(tcp.warnings.some(w => w.includes("Layer 7 hash not possible for backend 'b'")))
})

test('cookie persistence', () => {
  const p = ok(`backend b\n${T}  mode http\n  cookie SRV insert indirect nocache httponly secure domain .a.com maxidle 30m maxlife 8h\n  server s 127.0.0.1:1 cookie s1\n`)
  assert.deepEqual({ ...p.backends.get('b')?.cookie, domain: [...p.backends.get('b')?.cookie?.domain ?? []] }, {
    name: 'SRV', mode: 'insert', indirect: true, nocache: true, postonly: false, preserve: false, httponly: true, secure: true,
    domain: ['.a.com'], attrs: [], maxidle: 1800000, maxlife: 28800000, dynamic: false })
  assert.match(alerts('backend b\n  cookie S insert prefix\n')[0] ?? '', /mutually exclusive/)
})

test('health checks: http-check send/expect, tcp-check binary and negation, check kinds', () => {
  const p = ok(['defaults', '  mode http', T,
    'backend h', '  option httpchk', '  http-check send meth GET uri /health ver HTTP/1.1 hdr Host example.com body ping',
    '  http-check expect ! rstatus ^5', '  http-check expect string OK', '  server s 127.0.0.1:1 check',
    'backend t', '  mode tcp', '  option tcp-check', '  tcp-check connect port 6379', '  tcp-check send-binary 2a310d0a',
    '  tcp-check expect ! string -ERR', '  tcp-check expect rstring ^role:(master|slave)', '  tcp-check expect binary 2b4f4b', '  server s 127.0.0.1:1 check',
    'backend r', '  option redis-check', '  server s 127.0.0.1:1 check',
    'backend u', '  option httpchk /ping', '  server s 127.0.0.1:1 check'].join('\n'))
  const h = p.backends.get('h')?.check
  assert.deepEqual([h?.kind, h?.httpMethod, h?.httpUri, h?.httpVersion], ['http', 'OPTIONS', '/', 'HTTP/1.0'])
  assert.deepEqual(h?.steps, [
    { t: 'http-send', method: 'GET', uri: '/health', version: 'HTTP/1.1', headers: [['Host', 'example.com']], body: 'ping' },
    { t: 'expect', negate: true, what: 'rstatus', pattern: '^5', min: false, comment: null },
    { t: 'expect', negate: false, what: 'string', pattern: 'OK', min: false, comment: null }])
  const t = p.backends.get('t')?.check
  assert.equal(t?.kind, 'tcp-check')
  assert.deepEqual(t?.steps.map(s => s.t === 'send' ? s.data.toString('hex') : s.t === 'expect' ? `${s.negate ? '!' : ''}${s.what} ${s.pattern}` : s.t === 'connect' ? `connect ${s.port}` : s.t),
    ['connect 6379', '2a310d0a', '!string -ERR', 'rstring ^role:(master|slave)', 'binary 2b4f4b'])
  assert.equal(p.backends.get('r')?.check.kind, 'redis')
  assert.deepEqual([p.backends.get('u')?.check.httpMethod, p.backends.get('u')?.check.httpUri], ['OPTIONS', '/ping'])
  assert.match(alerts('backend b\n  tcp-check expect glob x\n')[0] ?? '', /\[k\.cfg:2\] : 'tcp-check expect'/)
})

test('options, captures, errorfile, stats page, http-reuse', () => {
  const p = ok(['defaults', '  mode http', T,
    'frontend f', '  bind 127.0.0.1:29010', '  option forwardfor except 127.0.0.0/8 header X-Real-IP if-none',
    '  capture request header Host len 20', '  capture response header Server len 10', '  monitor-uri /alive',
    '  stats uri /st', '  stats realm Our\\ Stats', '  stats refresh 5s', '  stats admin if TRUE', '  errorfile 503 errors/503.http',
    '  option log-separate-errors', '  option http-buffer-request', '  default_backend b',
    'backend b', '  option redispatch 2', '  http-reuse always', '  fullconn 300', '  option abortonclose', '  option allbackups', '  server s 127.0.0.1:1'].join('\n'))
  const f = p.frontends[0]
  assert.ok(f)
  assert.deepEqual(f.forwardFor, { header: 'X-Real-IP', except: { addr: '127.0.0.0', prefix: 8 }, ifNone: true })
  assert.deepEqual(f.responseCaptures.map(c => [c.name, c.len]), [['Server', 10]])
  assert.equal(f.monitorUri, '/alive')
  assert.deepEqual([f.statsPage?.uri, f.statsPage?.realm, f.statsPage?.refresh, typeof f.statsPage?.admin], ['/st', 'Our Stats', 5000, 'function'])
  assert.ok(f.errorfiles.get(503)?.toString().startsWith('HTTP/1.0 503'))
  assert.ok(p.files.some(x => x.endsWith('503.http')))
  assert.deepEqual([f.logSeparateErrors, f.httpBufferRequest], [true, true])
  const b = p.backends.get('b')
  assert.deepEqual([b?.redispatch, b?.redispatchEvery, b?.httpReuse, b?.fullconn, b?.abortonclose, b?.allbackups], [true, 2, 'always', 300, true, true])
  assert.match(alerts('defaults\n  errorfile 503 /nonexistent/x.http\n')[0] ?? '', /\[k\.cfg:2\] : 'errorfile' : error opening file/)
  assert.match(alerts('defaults\n  errorfile 302 errors/503.http\n')[0] ?? '', /status code 302 not handled/)
})

test('ignored sections and unknown section keywords', () => {
  const p = ok('userlist admins\n  user admin insecure-password x\npeers p\n  peer a 127.0.0.1:1\nresolvers dns\n  nameserver a 127.0.0.1:53\nglobal\n  maxconn 77\n')
  assert.equal(p.global.maxconn, 77)
  assert.equal(p.warnings.filter(w => w.includes('sections are not used by pocketlb')).length, 2, 'userlist is read now')
  assert.deepEqual(alerts('maxconn 5\n'), ["parsing [k.cfg:1] : unknown keyword 'maxconn' out of section."])
  assert.match(alerts('frontend "a b"\n')[0] ?? '', /\[k\.cfg:1\] : character ' ' is not permitted in 'frontend' name 'a b'/)
})
