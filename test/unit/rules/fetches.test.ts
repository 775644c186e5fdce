import { test } from 'node:test'
import assert from 'node:assert/strict'
import { compileSampleExpr } from '../../../src/rules/compile.ts'
import { Phase, RulesError } from '../../../src/rules/types.ts'
import { ctx, head, request, stream } from './helpers.ts'

const req = request('/img/a.JPG?id=12&w=5&flag', [
  ['Host', 'Static.Example.com'], ['X-A', 'one, "two, still two"'], ['X-A', 'three'],
  ['Cookie', 'sid=1; lang=fr'], ['Cookie', 'sid=2'], ['Content-Length', '42'], ['X-Ip', '10.1.2.3']
])
const res = head({ status: 302, reason: 'Found' }, [['Set-Cookie', 'srv=a; path=/'], ['Location', '/x']])
const s = stream(req, res, { beName: 'bk' })
const ev = (text: string, phase: number = Phase.HttpReq) => compileSampleExpr(text, ctx(phase))(s)

test('connection fetches', () => {
  assert.equal(ev('src'), '192.168.1.10')
  assert.equal(ev('src_port'), 40000)
  assert.equal(ev('dst'), '10.0.0.1')
  assert.equal(ev('dst_port'), 80)
  assert.equal(ev('fe_name'), 'fe')
  assert.equal(ev('be_name'), 'bk')
  assert.equal(ev('src', Phase.L4Conn), '192.168.1.10')
})

test('request line fetches', () => {
  assert.equal(ev('method'), 'GET')
  assert.equal(ev('path'), '/img/a.JPG')
  assert.equal(ev('query'), 'id=12&w=5&flag')
  assert.equal(ev('url'), '/img/a.JPG?id=12&w=5&flag')
  assert.equal(ev('base'), 'Static.Example.com/img/a.JPG')
  assert.equal(ev('req.ver'), '1.1')
  assert.equal(ev('url_param(w)'), '5')
  assert.equal(ev('urlp(flag)'), '')
  assert.equal(ev('urlp(nope)'), undefined)
  assert.equal(compileSampleExpr('path', ctx())(stream(request('http://h.com/p?q'))), '/p')
  assert.equal(compileSampleExpr('query', ctx())(stream(request('/p'))), undefined)
})

test('hdr splits on commas outside quotes, default occurrence is the last value', () => {
  assert.equal(ev('hdr(x-a)'), 'three')
  assert.equal(ev('req.hdr(X-A,1)'), 'one')
  assert.equal(ev('req.hdr(X-A,2)'), '"two, still two"')
  assert.equal(ev('req.hdr(X-A,-2)'), '"two, still two"')
  assert.equal(ev('req.fhdr(x-a,1)'), 'one, "two, still two"')
  assert.equal(ev('hdr_cnt(x-a)'), 3)
  assert.equal(ev('req.fhdr_cnt(x-a)'), 2)
  assert.equal(ev('hdr_val(content-length)'), 42)
  assert.equal(ev('req.hdr_ip(x-ip)'), '10.1.2.3')
  assert.equal(ev('hdr(missing)'), undefined)
  assert.equal(ev('hdr_cnt(missing)'), 0)
})

test('cookies: last occurrence by name', () => {
  assert.equal(ev('req.cook(sid)'), '2')
  assert.equal(ev('cook(lang)'), 'fr')
  assert.equal(ev('req.cook_cnt(sid)'), 2)
  assert.equal(ev('res.cook(srv)', Phase.HttpRes), 'a')
})

test('response fetches, and their phase check', () => {
  assert.equal(ev('status', Phase.HttpRes), 302)
  assert.equal(ev('res.hdr(location)', Phase.HttpRes), '/x')
  assert.equal(ev('res.ver', Phase.HttpRes), '1.1')
  assert.throws(() => ev('res.hdr(location)', Phase.HttpReq), /may not be reliably used here/)
  assert.throws(() => ev('path', Phase.L4Conn), RulesError)
})

test('misc fetches: constants, env, var, date, rand', () => {
  assert.equal(ev('str(abc)'), 'abc')
  assert.equal(ev('int(-5)'), -5)
  assert.equal(ev('always_true'), true)
  process.env.PLB_RULES_TEST = 'yes'
  assert.equal(ev('env(PLB_RULES_TEST)'), 'yes')
  assert.equal(ev('env(PLB_RULES_TEST_UNSET)'), undefined)
  s.vars.set('txn.n', 3)
  assert.equal(ev('var(txn.n)'), 3)
  assert.equal(ev('var(txn.none,dflt)'), 'dflt')
  const now = Math.floor(Date.now() / 1000)
  const d = ev('date(10)') as number
  assert.ok(d >= now + 10 && d <= now + 11)
  const r = ev('rand(4)') as number
  assert.ok(Number.isInteger(r) && r >= 0 && r < 4)
})

test('bad expressions are RulesErrors with HAProxy-like text', () => {
  assert.throws(() => ev('hdrx(host)'), /unknown fetch method 'hdrx'/)
  assert.throws(() => ev('hdr(host),nope'), /unknown converter 'nope'/)
  assert.throws(() => ev('hdr(host'), /missing closing '\)'/)
  assert.throws(() => ev('hdr(a,b,c)'), /at most 2 argument/)
  assert.throws(() => ev('hdr(a,x)'), /expects an integer/)
  assert.throws(() => ev('var(foo)'), /invalid variable name/)
  assert.throws(() => ev('src,add(1)'), /cannot be applied/)
  assert.equal(ev('src,lower'), '192.168.1.10')
})
