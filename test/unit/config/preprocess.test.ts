import { test } from 'node:test'
import assert from 'node:assert/strict'
import { compareVersions, evalCondition } from '../../../src/config/preprocess.ts'
import { loadConfigSources } from '../../../src/config/load.ts'

const has = (n: string): boolean => n === 'SET'

test('condition terms', () => {
  assert.equal(evalCondition('defined(SET)', has), true)
  assert.equal(evalCondition('defined(NOPE)', has), false)
  assert.equal(evalCondition('feature(OPENSSL)', has), true)
  assert.equal(evalCondition('feature(QUIC)', has), false)
  assert.equal(evalCondition('streq(a,a)', has), true)
  assert.equal(evalCondition('strneq(a,a)', has), false)
  assert.equal(evalCondition('version_atleast(2.4)', has), true)
  assert.equal(evalCondition('version_atleast(2.6.1)', has), false)
  assert.equal(evalCondition('version_before(2.7-dev0)', has), true)
  assert.equal(evalCondition('0', has), false)
  assert.equal(evalCondition('1', has), true)
})

test('negation, && , || and parentheses', () => {
  assert.equal(evalCondition('!defined(NOPE)', has), true)
  assert.equal(evalCondition('defined(SET) && !streq(a,b)', has), true)
  assert.equal(evalCondition('defined(NOPE) || (feature(LINUX_TPROXY) && 1)', has), true)
  assert.ok(typeof evalCondition('bogus(x)', has) === 'object')
  assert.ok(typeof evalCondition('(1', has) === 'object')
  assert.ok(compareVersions('2.6.0', '2.6') === 0)
})

const cfg = (text: string, env: Record<string, string> = {}) => loadConfigSources([{ path: 'pp.cfg', text }], { env })

test('.if/.elif/.else/.endif select lines, with nesting', () => {
  const r = cfg([
    'global',
    '.if defined(A)',
    '  maxconn 100',
    '  .if streq("${A}",x)',
    '    maxconn 200',
    '  .endif',
    '.elif defined(B)',
    '  maxconn 300',
    '.else',
    '  maxconn 400',
    '.endif'
  ].join('\n'), { A: 'x' })
  assert.ok(r.ok)
  assert.equal(r.plan.global.maxconn, 200)
  const b = cfg('global\n.if defined(A)\n maxconn 100\n.elif defined(B)\n maxconn 300\n.else\n maxconn 400\n.endif\n', { B: '1' })
  assert.ok(b.ok && b.plan.global.maxconn === 300)
  const e = cfg('global\n.if defined(A)\n maxconn 100\n.elif defined(B)\n maxconn 300\n.else\n maxconn 400\n.endif\n')
  assert.ok(e.ok && e.plan.global.maxconn === 400)
})

test('lines inside false blocks are not parsed (no errors from them)', () => {
  const r = cfg('global\n.if 0\n  this is not a keyword\n  .alert "not raised"\n.endif\n')
  assert.ok(r.ok)
})

test('messages: .notice/.diag are notices, .warning a warning, .alert fatal', () => {
  const r = cfg('global\n.notice "hello ${WHO}"\n.warning careful\n', { WHO: 'you' })
  assert.ok(r.ok)
  assert.deepEqual(r.notices, ["parsing [pp.cfg:2] : 'hello you'."])
  assert.ok(r.warnings.includes("parsing [pp.cfg:3] : 'careful'."))
  const a = cfg('global\n.alert boom\n')
  assert.ok(!a.ok && a.alerts[0] === "parsing [pp.cfg:2] : 'boom'.")
})

test('structure errors name file:line', () => {
  const r = cfg('global\n.else\n.endif\n.if 1\n')
  assert.ok(!r.ok)
  assert.deepEqual(r.alerts, [
    "parsing [pp.cfg:2] : '.else' with no matching '.if'.",
    "parsing [pp.cfg:3] : '.endif' with no matching '.if'.",
    "parsing [pp.cfg:4] : non-terminated '.if' block."
  ])
})

test('global setenv is visible to later lines', () => {
  const r = cfg('global\n  setenv MC 123\n  maxconn "${MC}"\n')
  assert.ok(r.ok && r.plan.global.maxconn === 123)
})
