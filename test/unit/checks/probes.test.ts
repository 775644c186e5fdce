import { test } from 'node:test'
import assert from 'node:assert/strict'
import { tcpProbe } from '../../../src/checks/probes/tcp.ts'
import { httpProbe } from '../../../src/checks/probes/http.ts'
import { tcpCheckProbe } from '../../../src/checks/probes/tcp-check.ts'
import { redisProbe } from '../../../src/checks/probes/redis.ts'
import { mysqlProbe } from '../../../src/checks/probes/mysql.ts'
import { parseAgentLine, runAgentCheck } from '../../../src/checks/probes/agent.ts'
import { checkPlan, expect, send, target } from './plans.ts'
import { deadPort, replying, tinyServer } from './servers.ts'

const never = new AbortController().signal

test('tcp: L4OK on connect, L4CON "Connection refused" on a dead port', async () => {
  const srv = await tinyServer(() => {})
  try {
    const ok = await tcpProbe.run(target(srv.port), checkPlan('tcp'), never)
    assert.equal(ok.status, 'L4OK')
    assert.equal(ok.info, '')
  } finally { await srv.close() }
  const ko = await tcpProbe.run(target(await deadPort()), checkPlan('tcp'), never)
  assert.equal(ko.status, 'L4CON')
  assert.equal(ko.info, 'Connection refused')
})

const httpServer = (status: string, headers = '', body = '') => tinyServer(replying(() =>
  `HTTP/1.1 ${status}\r\ncontent-length: ${body.length}\r\n${headers}\r\n${body}`))

test('http: default expectation passes 2xx/3xx and fails others with the reason phrase', async () => {
  for (const [line, status, code, info] of [['200 OK', 'L7OK', 200, ''], ['302 Found', 'L7OK', 302, ''], ['503 Service Unavailable', 'L7STS', 503, 'Service Unavailable']] as const) {
    const srv = await httpServer(line)
    try {
      const r = await httpProbe.run(target(srv.port), checkPlan('http', [], { httpMethod: 'HEAD', httpUri: '/check.txt', httpVersion: 'HTTP/1.0' }), never)
      assert.deepEqual([r.status, r.code, r.info], [status, code, info])
      assert.equal(srv.requests[0]!.toString(), 'HEAD /check.txt HTTP/1.0\r\nconnection: close\r\ncontent-length: 0\r\n\r\n')
    } finally { await srv.close() }
  }
})

test('http: the seed\'s old-form "GET / HTTP/1.1\\r\\nHost: ..." headers are sent, expect status 101', async () => {
  const srv = await tinyServer(replying(() => 'HTTP/1.1 101 Switching Protocols\r\nupgrade: websocket\r\nconnection: upgrade\r\n\r\n'))
  try {
    const plan = checkPlan('http', [expect('status', '101')], {
      httpMethod: 'GET', httpUri: '/', httpVersion: 'HTTP/1.1',
      httpExtra: 'Host: ws.domain.com\r\nConnection: Upgrade\r\nUpgrade: websocket\r\nSec-WebSocket-Key: haproxy\r\nSec-WebSocket-Version: 13'
    })
    const r = await httpProbe.run(target(srv.port), plan, never)
    assert.equal(r.status, 'L7OK')
    assert.equal(r.code, 101)
    const req = srv.requests[0]!.toString()
    assert.match(req, /^GET \/ HTTP\/1\.1\r\nhost: ws\.domain\.com\r\nconnection: Upgrade\r\nupgrade: websocket\r\n/)
    assert.doesNotMatch(req, /connection: close/)
  } finally { await srv.close() }
})

test('http-check expect status / rstatus / string / rstring / hdr, with negation', async () => {
  const srv = await httpServer('200 OK', 'x-role: primary, replica\r\n', 'all good here')
  const cases: [ReturnType<typeof expect>, string, string][] = [
    [expect('status', '200-299'), 'L7OK', ''],
    [expect('status', '201,204'), 'L7STS', 'OK'],
    [expect('status', '200', true), 'L7STS', 'OK'],
    [expect('rstatus', '^2'), 'L7OK', ''],
    [expect('string', 'good'), 'L7OK', ''],
    [expect('string', 'bad'), 'L7RSP', 'HTTP content check did not match'],
    [expect('string', 'good', true), 'L7RSP', 'HTTP check matched unwanted content'],
    [expect('rstring', 'g[o]+d'), 'L7OK', ''],
    [expect('hdr', 'name x-role value replica'), 'L7OK', ''],
    [expect('fhdr', 'name x-role value replica'), 'L7STS', 'OK'],
    [expect('hdr', 'name -m beg x-r'), 'L7OK', ''],
    [expect('hdr', 'name x-missing', true), 'L7OK', '']
  ]
  try {
    for (const [step, status, info] of cases) {
      const r = await httpProbe.run(target(srv.port), checkPlan('http', [step]), never)
      assert.deepEqual([r.status, r.info], [status, info], JSON.stringify(step))
    }
  } finally { await srv.close() }
})

test('http: http-check send overrides the request line and adds headers and a body', async () => {
  const srv = await httpServer('200 OK')
  try {
    const plan = checkPlan('http', [{ t: 'http-send', method: 'POST', uri: '/health', version: 'HTTP/1.1', headers: [['Host', 'a.example']], body: 'ping' }])
    assert.equal((await httpProbe.run(target(srv.port), plan, never)).status, 'L7OK')
    assert.equal(srv.requests[0]!.toString(), 'POST /health HTTP/1.1\r\nhost: a.example\r\nconnection: close\r\ncontent-length: 4\r\n\r\nping')
  } finally { await srv.close() }
})

test('http: silence after connect is L7TOUT, garbage is L7RSP', async () => {
  const silent = await tinyServer(() => {})
  try {
    const r = await httpProbe.run(target(silent.port, 150), checkPlan('http'), never)
    assert.equal(r.status, 'L7TOUT')
    assert.ok(r.durationMs >= 140 && r.durationMs < 1000, `duration ${r.durationMs}`)
  } finally { await silent.close() }
  const junk = await tinyServer(sock => { sock.end('SSH-2.0-OpenSSH\r\n') })
  try {
    assert.equal((await httpProbe.run(target(junk.port), checkPlan('http'), never)).status, 'L7RSP')
  } finally { await junk.close() }
})

test('tcp-check: send/expect sequence passes, a mismatch names the step', async () => {
  const srv = await tinyServer(replying(t => t.startsWith('PING') ? '+PONG\r\n' : t.startsWith('info') ? '$10\r\nrole:slave\r\n' : undefined))
  try {
    const ok = await tcpCheckProbe.run(target(srv.port), checkPlan('tcp-check', [send('PING\r\n'), expect('string', '+PONG')]), never)
    assert.deepEqual([ok.status, ok.info], ['L7OK', '(tcp-check)'])
    const neg = await tcpCheckProbe.run(target(srv.port), checkPlan('tcp-check', [send('PING\r\n'), expect('string', '+PONG', true)]), never)
    assert.deepEqual([neg.status, neg.info], ['L7RSP', "TCPCHK matched unwanted content '+PONG' at step 2"])
    // a mismatch without the peer closing waits for more data, as HAProxy: L7TOUT at the expect
    const slave = await tcpCheckProbe.run(target(srv.port, 200),
      checkPlan('tcp-check', [send('PING\r\n'), expect('string', '+PONG'), send('info replication\r\n'), expect('string', 'role:master')]), never)
    assert.deepEqual([slave.status, slave.info], ['L7TOUT', " at step 4 of tcp-check (expect string 'role:master')"])
  } finally { await srv.close() }
})

test('tcp-check: the peer closing ends the wait; empty answers and refused connects', async () => {
  const srvClose = await tinyServer(sock => { sock.on('data', () => sock.end('-ERR nope\r\n')) })
  const empty = await tinyServer(sock => { sock.on('data', () => sock.end()) })
  try {
    const r = await tcpCheckProbe.run(target(srvClose.port), checkPlan('tcp-check', [send('PING\r\n'), expect('string', '+PONG')]), never)
    assert.deepEqual([r.status, r.info], ['L7RSP', "TCPCHK did not match content '+PONG' at step 2"])
    const e = await tcpCheckProbe.run(target(empty.port), checkPlan('tcp-check', [send('PING\r\n'), expect('rstring', '^\\+PONG')]), never)
    assert.deepEqual([e.status, e.info], ['L7RSP', 'TCPCHK got an empty response at step 2'])
  } finally { await srvClose.close(); await empty.close() }
  const dead = await tcpCheckProbe.run(target(await deadPort()), checkPlan('tcp-check', [send('x')]), never)
  assert.deepEqual([dead.status, dead.info], ['L4CON', 'Connection refused at initial connection step of tcp-check'])
})

test('tcp-check: send-binary / expect binary', async () => {
  const srv = await tinyServer(replying(() => Buffer.from('0001feff', 'hex')))
  try {
    const plan = checkPlan('tcp-check', [{ t: 'send', data: Buffer.from('0a0b', 'hex') }, expect('binary', '01feff')])
    assert.equal((await tcpCheckProbe.run(target(srv.port), plan, never)).status, 'L7OK')
    const re = checkPlan('tcp-check', [{ t: 'send', data: Buffer.from('0a0b', 'hex') }, expect('rbinary', '^0001FE')])
    assert.equal((await tcpCheckProbe.run(target(srv.port), re, never)).status, 'L7OK')
  } finally { await srv.close() }
})

test('redis: +PONG is L7OK "Redis server is ok", an error line is L7STS', async () => {
  const good = await tinyServer(replying(() => '+PONG\r\n'))
  const loading = await tinyServer(sock => { sock.on('data', () => sock.end('-LOADING Redis is loading\r\n')) })
  try {
    const ok = await redisProbe.run(target(good.port), checkPlan('redis'), never)
    assert.deepEqual([ok.status, ok.info], ['L7OK', 'Redis server is ok'])
    assert.equal(good.requests[0]!.toString(), '*1\r\n$4\r\nPING\r\n')
    const ko = await redisProbe.run(target(loading.port), checkPlan('redis'), never)
    assert.deepEqual([ko.status, ko.info], ['L7STS', '-LOADING Redis is loading'])
  } finally { await good.close(); await loading.close() }
})

function mysqlPacket (seq: number, payload: Buffer): Buffer {
  const h = Buffer.alloc(4)
  h.writeUIntLE(payload.length, 0, 3)
  h[3] = seq
  return Buffer.concat([h, payload])
}

test('mysql: handshake gives the version, an error packet gives its number', async () => {
  const hs = mysqlPacket(0, Buffer.concat([Buffer.from([10]), Buffer.from('8.0.36\0', 'latin1'), Buffer.alloc(20, 1)]))
  const err = mysqlPacket(0, Buffer.concat([Buffer.from([0xff, 0x69, 0x04]), Buffer.from('Host is blocked', 'latin1')]))
  const good = await tinyServer(sock => { sock.write(hs) })
  const bad = await tinyServer(sock => { sock.end(err) })
  try {
    const ok = await mysqlProbe.run(target(good.port), checkPlan('mysql'), never)
    assert.deepEqual([ok.status, ok.info], ['L7OK', '8.0.36'])
    const ko = await mysqlProbe.run(target(bad.port), checkPlan('mysql'), never)
    assert.deepEqual([ko.status, ko.code, ko.info], ['L7STS', 1129, 'Host is blocked'])
  } finally { await good.close(); await bad.close() }
})

test('agent: words are parsed as HAProxy does', async () => {
  assert.deepEqual(parseAgentLine('75%'), { report: { health: null, admin: null, weightPercent: 75, maxconn: null }, status: 'CHECKED', info: '' })
  const down = parseAgentLine('down # disk full')
  assert.deepEqual([down.status, down.info, down.report.health], ['L7STS', 'via agent : down (disk full)', 'down'])
  const mix = parseAgentLine('up,drain 50% maxconn:30')
  assert.deepEqual(mix.report, { health: 'up', admin: 'drain', weightPercent: 50, maxconn: 30 })
  assert.equal(mix.info, 'via agent : up')
  assert.equal(parseAgentLine('bogus ready').info, 'agent reports an error : bogus')
  const srv = await tinyServer(replying(t => t === 'hello\n' ? 'maint 10%\n' : undefined))
  try {
    const r = await runAgentCheck(target(srv.port), 'hello\n', never)
    assert.deepEqual(r.agent, { health: null, admin: 'maint', weightPercent: 10, maxconn: null })
  } finally { await srv.close() }
})

test('an aborted probe returns quickly with no verdict', async () => {
  const silent = await tinyServer(() => {})
  try {
    const ctl = new AbortController()
    const p = tcpCheckProbe.run(target(silent.port, 5000), checkPlan('tcp-check', [send('x'), expect('string', 'y')]), ctl.signal)
    setTimeout(() => ctl.abort(), 50)
    const r = await p
    assert.equal(r.status, 'UNK')
    assert.ok(r.durationMs < 1000)
  } finally { await silent.close() }
})
