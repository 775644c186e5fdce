import { test } from 'node:test'
import assert from 'node:assert/strict'
import { compileHttpRequestRule, compileHttpResponseRule, compileSampleExpr, runRules } from '../../../src/rules/compile.ts'
import { Phase, RulesError } from '../../../src/rules/types.ts'
import type { CaptureSlots } from '../../../src/rules/captures.ts'
import { loadConfigSources } from '../../../src/config/load.ts'
import { ctx, head, request, target } from './helpers.ts'

// http-request|response capture, capture.req/res.hdr and set-timeout on plain
// objects standing for a stream; declare capture / capture cookie in plans.

function slots (req: number[], res: number[]): CaptureSlots & { req: number[] } {
  return { req, addRequest: len => req.push(len) - 1, count: r => (r ? res : req).length }
}

/** A stream with capture slots of <lens> and recorded timeouts. */
function stream (uri: string, headers: [string, string][], lens: number[], resHead: ReturnType<typeof head> | null = null) {
  const req: string[] = lens.map(() => '')
  const res: string[] = ['']
  const timeouts: [string, number][] = []
  return {
    ...target(request(uri, headers), resHead),
    req0: req, res0: res, timeouts,
    capture (response: boolean, id: number, value: string) { const a = response ? res : req; const l = response ? 4 : lens[id]; if (id < a.length) a[id] = value.slice(0, l) },
    captured (response: boolean, id: number) { const v = (response ? res : req)[id]; return v === '' ? undefined : v },
    setStreamTimeout (which: string, ms: number) { timeouts.push([which, ms]) }
  }
}

test('http-request capture … len adds a slot; … id fills a declared one; capture.req.hdr reads them', () => {
  const fe = slots([8], [4])
  const c = { ...ctx(Phase.HttpReq), captureSlots: fe, backend: false, frontend: true, proxy: 'fe' }
  const byLen = compileHttpRequestRule(['capture', 'req.hdr(x-b),upper', 'len', '3'], c)
  const byId = compileHttpRequestRule(['capture', 'req.hdr(x-a)', 'id', '0'], c)
  assert.deepEqual(fe.req, [8, 3], 'len added slot 1')
  const s = stream('/', [['X-A', 'first-value-long'], ['X-B', 'bee']], fe.req)
  runRules([byLen, byId], s)
  assert.deepEqual(s.req0, ['first-va', 'BEE'])
  assert.equal(compileSampleExpr('capture.req.hdr(1)', c)(s), 'BEE')
  assert.equal(compileSampleExpr('capture.req.hdr(7)', c)(s), undefined)
  const empty = stream('/', [], fe.req)
  runRules([byLen], empty)
  assert.deepEqual(empty.req0, ['', ''], 'no sample, nothing captured')
})

test('http-response capture … id and capture.res.hdr', () => {
  const c = { ...ctx(Phase.HttpRes), captureSlots: slots([], [4]), frontend: true, proxy: 'fe' }
  const rule = compileHttpResponseRule(['capture', 'res.hdr(x-r)', 'id', '0'], c)
  const s = stream('/', [], [], head({ status: 200 }, [['X-R', 'respval']]))
  runRules([rule], s)
  assert.equal(compileSampleExpr('capture.res.hdr(0)', c)(s), 'resp')
  assert.throws(() => compileSampleExpr('capture.res.hdr(0)', ctx(Phase.HttpReq)), RulesError, 'response slots are not readable in request rules')
})

test('capture rules refused where HAProxy refuses them', () => {
  const fe = { ...ctx(), captureSlots: slots([8], []), frontend: true, proxy: 'fe' }
  assert.throws(() => compileHttpRequestRule(['capture', 'req.hdr(x)', 'id', '1'], fe), /unable to find capture id '1' referenced by http-request capture rule/)
  assert.throws(() => compileHttpResponseRule(['capture', 'res.hdr(x)', 'len', '4'], { ...fe, phase: Phase.HttpRes }), /expects 'id'/)
  const be = { ...ctx(), captureSlots: slots([], []), proxy: 'be', backend: true, frontend: false }
  assert.throws(() => compileHttpRequestRule(['capture', 'req.hdr(x)', 'len', '4'], be), /proxy 'be' has no frontend capability/)
  compileHttpRequestRule(['capture', 'req.hdr(x)', 'id', '9'], be) // a backend cannot know its frontends' slots
})

test('set-timeout server|tunnel <time>|<expr>', () => {
  const be = { ...ctx(), proxy: 'be', backend: true }
  const rules = [
    compileHttpRequestRule(['set-timeout', 'server', '2s'], be),
    compileHttpRequestRule(['set-timeout', 'tunnel', 'req.hdr(x-t)'], be),
    compileHttpRequestRule(['set-timeout', 'server', 'req.hdr(x-none)'], be)
  ]
  const s = stream('/', [['X-T', '1500']], [])
  runRules(rules, s)
  assert.deepEqual(s.timeouts, [['server', 2000], ['tunnel', 1500]], 'a missing sample changes nothing')
  assert.throws(() => compileHttpRequestRule(['set-timeout', 'client', '2s'], be), /supports 'server'\/'tunnel' \(got 'client'\)/)
  assert.throws(() => compileHttpRequestRule(['set-timeout', 'server', '2s'], { ...ctx(), proxy: 'fe', backend: false }), /proxy 'fe' has no backend capability/)
})

test('declare capture and capture cookie in the plan', () => {
  const r = loadConfigSources([{ path: 'c.cfg', text: `defaults
  mode http
frontend fe
  bind 127.0.0.1:8080
  capture request header Host len 10
  declare capture request len 8
  declare capture response len 4
  capture cookie SID len 12
  http-request capture req.hdr(x) len 5
` }])
  assert.ok(r.ok, r.ok ? '' : r.alerts.join('\n'))
  const fe = r.plan.frontends[0]
  assert.deepEqual(fe.captures.map(c => [c.lname, c.len]), [['host', 10], ['', 8], ['', 5]])
  assert.deepEqual(fe.responseCaptures.map(c => c.len), [4])
  assert.deepEqual(fe.captureCookie, { name: 'SID', len: 12 })
})

test('a capture id may name a slot declared further down; a slot never declared is an error at the end', () => {
  const cfg = (declare: string) => loadConfigSources([{ path: 'c.cfg', text: `defaults
  mode http
frontend fe
  bind 127.0.0.1:8080
  http-request capture req.hdr(x) id 0
  http-response capture res.hdr(x) id 0
${declare}
` }])
  const later = cfg('  declare capture request len 8\n  declare capture response len 8')
  assert.ok(later.ok, later.ok ? '' : later.alerts.join('\n'))
  const missing = cfg('  declare capture request len 8')
  assert.ok(!missing.ok && missing.alerts.some(a => a.includes("[c.cfg:6] : Proxy 'fe': unable to find capture id '0' referenced by http-response capture rule.")), missing.ok ? '' : missing.alerts.join('\n'))
})
