import { test } from 'node:test'
import assert from 'node:assert/strict'
import { loadConfigSources } from '../../../src/config/load.ts'
import { runTcpRules, TcpVerdict } from '../../../src/rules/tcp-rules.ts'
import { stream } from './helpers.ts'

function load (...lines: string[]) {
  return loadConfigSources([{ path: 't.cfg', text: ['defaults', '  mode tcp', ...lines, ''].join('\n') }])
}

test('tcp-request rules compile per set; verdicts and inspect-delay land in the plan', () => {
  const r = load('frontend fe', '  bind 127.0.0.1:9000', '  tcp-request inspect-delay 5s',
    '  tcp-request connection reject if { src 10.0.0.0/8 }', '  tcp-request connection expect-proxy layer4 if { src 192.168.0.0/16 }',
    '  tcp-request content accept if { req.len gt 3 }', '  tcp-request content reject', '  default_backend be',
    'backend be', '  server s1 127.0.0.1:9001')
  if (!r.ok) assert.fail(r.alerts.join('\n'))
  const tr = r.plan.frontends[0].tcpRequest!
  assert.equal(tr.inspectDelay, 5000)
  assert.equal(runTcpRules(tr.connection, stream(null, null, { srcAddr: '10.1.2.3' })), TcpVerdict.Reject)
  assert.equal(runTcpRules(tr.connection, stream(null)), TcpVerdict.Continue)
  const withData = (d: string) => ({ ...stream(null), reqData: Buffer.from(d) })
  assert.equal(runTcpRules(tr.content, withData('hello')), TcpVerdict.Accept)
  assert.equal(runTcpRules(tr.content, withData('hi')), TcpVerdict.Reject)
})

test('bad tcp-request lines are errors with file:line', () => {
  const bad = (line: string, re: RegExp, section = 'frontend fe\n  bind 127.0.0.1:9000'): void => {
    const r = load(section, line)
    assert.equal(r.ok, false, line)
    if (!r.ok) assert.match(r.alerts.join('\n'), re)
  }
  bad('  tcp-request connection frobnicate', /t\.cfg:5\].*'tcp-request connection' expects 'accept'/)
  bad('  tcp-request connection reject if { req.len gt 1 }', /t\.cfg:5\].*req\.len.*tcp-request content rules/)
  bad('  tcp-request connection reject', /t\.cfg:4\].*'tcp-request connection' is not allowed in a backend/, 'backend be')
  bad('  tcp-request inspect-delay soon', /t\.cfg:5\].*inspect-delay/)
})

test('tcp-response inspect-delay and content rules land in the backend plan; res.* only there', () => {
  const r = load('backend be', '  server s1 127.0.0.1:9001', '  tcp-response inspect-delay 2s',
    '  tcp-response content reject if { res.payload(0,3) -m str BAD }', '  tcp-response content close if { res.len gt 100 }',
    '  tcp-response content set-var(txn.seen) res.len', '  tcp-response content accept')
  if (!r.ok) assert.fail(r.alerts.join('\n'))
  const tr = r.plan.backends.get('be')!.tcpResponse!
  assert.equal(tr.inspectDelay, 2000)
  const withData = (d: string) => ({ ...stream(null), reqData: null, resData: Buffer.from(d) })
  assert.equal(runTcpRules(tr.content, withData('BAD!')), TcpVerdict.Reject)
  assert.equal(runTcpRules(tr.content, withData('x'.repeat(101))), TcpVerdict.Close)
  const ok = withData('fine')
  assert.equal(runTcpRules(tr.content, ok), TcpVerdict.Accept)
  assert.equal(ok.vars.get('txn.seen'), 4)
  const wrong = load('backend be', '  server s1 127.0.0.1:9001', '  tcp-request content reject if { res.len gt 0 }')
  assert.equal(wrong.ok, false, 'res.len is not usable in tcp-request rules')
  const http = load('backend be', '  mode http', '  server s1 127.0.0.1:9001', '  tcp-response content reject if { res.len gt 0 }')
  assert.ok(http.ok && http.warnings.some(w => w.includes("'tcp-response content' rules apply to 'mode tcp' only")))
})
