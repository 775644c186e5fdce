import { test } from 'node:test'
import assert from 'node:assert/strict'
import { compileHttpRequestRule, compileHttpResponseRule, runRules } from '../../../src/rules/compile.ts'
import { Phase, RulesError } from '../../../src/rules/types.ts'
import { headerValue } from '../../../src/core/http-head.ts'
import { ctx, head, request, target } from './helpers.ts'

const rq = (...words: string[]) => compileHttpRequestRule(words, ctx())
const rs = (...words: string[]) => compileHttpResponseRule(words, ctx(Phase.HttpRes))
const req = () => request('/Img/A.png?x=1&y=2', [['Host', 'Static.Example.com'], ['X-Old', 'a'], ['X-Old', 'b'], ['Cookie', 'sid=123; lang=fr']])

test('set-header (seed X-LB), add-header, del-header', () => {
  const t = target(req())
  runRules([rq('set-header', 'X-LB', '%[req.hdr(Host),lower]%[req.uri,lower]')], t)
  assert.equal(headerValue(t.head, 'x-lb'), 'static.example.com/img/a.png?x=1&y=2')
  runRules([rq('set-header', 'X-Old', 'new:%[hdr(x-old)]')], t)
  assert.deepEqual(t.head.values.filter((_, i) => t.head.lnames[i] === 'x-old'), ['new:b'], 'value computed before the old lines go')
  runRules([rq('add-header', 'X-Old', 'two')], t)
  assert.equal(t.head.lnames.filter(n => n === 'x-old').length, 2)
  runRules([rq('del-header', 'x-old')], t)
  assert.equal(headerValue(t.head, 'x-old'), undefined)
  runRules([rq('del-header', 'x-', '-m', 'beg')], t)
  assert.equal(headerValue(t.head, 'x-lb'), undefined)
})

test('replace-header and replace-value', () => {
  const t = target(req())
  runRules([rq('replace-header', 'Cookie', 'sid=([^;]*);(.*)', 'sid=X\\1;\\2')], t)
  assert.equal(headerValue(t.head, 'cookie'), 'sidX=123; lang=fr'.replace('sidX=123', 'sid=X123'))
  const u = target(request('/', [['X-Fwd', 'a1, b2']]))
  runRules([rq('replace-value', 'X-Fwd', '^([a-z])([0-9])$', '\\2\\1')], u)
  assert.equal(headerValue(u.head, 'x-fwd'), '1a, 2b')
})

test('request line rewrites', () => {
  const t = target(req())
  runRules([rq('set-path', '/new%[path,lower]')], t)
  assert.equal(t.head.uri, '/new/img/a.png?x=1&y=2')
  runRules([rq('set-query', 'z=%[urlp(y)]')], t)
  assert.equal(t.head.uri, '/new/img/a.png?z=2')
  runRules([rq('set-query', '')], t)
  assert.equal(t.head.uri, '/new/img/a.png')
  runRules([rq('set-uri', '/u?k')], t)
  assert.equal(t.head.uri, '/u?k')
  runRules([rq('set-method', 'POST')], t)
  assert.equal(t.head.method, 'POST')
  const abs = target(request('http://h.com/a?b'))
  runRules([rq('set-path', '/z')], abs)
  assert.equal(abs.head.uri, 'http://h.com/z?b')
})

test('deny (403 default, deny_status), tarpit, allow stops the list', () => {
  assert.deepEqual(runRules([rq('deny')], target(req())), { kind: 'deny', status: 403 })
  assert.deepEqual(runRules([rq('deny', 'deny_status', '429')], target(req())), { kind: 'deny', status: 429 })
  assert.deepEqual(runRules([rq('tarpit')], target(req())), { kind: 'deny', status: 500, tarpit: true })
  assert.deepEqual(runRules([rq('allow'), rq('deny')], target(req())), { kind: 'allow' })
  const cond = [rq('deny', 'if', '{', 'path_end', '.gif', '}'), rq('deny', 'deny_status', '404', 'unless', '{', 'hdr(host)', 'x', '}')]
  assert.deepEqual(runRules(cond, target(req())), { kind: 'deny', status: 404 })
  assert.deepEqual(runRules(cond, target(request('/a.PNG', [['Host', 'x']]))), { kind: 'continue' })
  assert.throws(() => rq('deny', 'deny_status', '99'), /status code/)
})

test('return: status, content-type, string / lf-string, hdr', () => {
  assert.deepEqual(runRules([rq('return', 'status', '204')], target(req())), { kind: 'respond', status: 204, headers: [], body: '' })
  assert.deepEqual(runRules([rq('return', 'status', '200', 'content-type', 'text/plain', 'string', 'ok')], target(req())),
    { kind: 'respond', status: 200, headers: [['content-type', 'text/plain']], body: 'ok' })
  assert.deepEqual(runRules([rq('return', 'content-type', 'text/plain', 'lf-string', 'host=%[hdr(host)]', 'hdr', 'X-P', '%[path]')], target(req())),
    { kind: 'respond', status: 200, headers: [['content-type', 'text/plain'], ['X-P', '/Img/A.png']], body: 'host=Static.Example.com' })
  assert.throws(() => rq('return', 'string', 'x'), /content-type/)
})

test('redirect location / prefix / scheme with code and drop-query', () => {
  assert.deepEqual(runRules([rq('redirect', 'location', 'https://%[hdr(host)]/', 'code', '301')], target(req())),
    { kind: 'redirect', status: 301, location: 'https://Static.Example.com/' })
  assert.deepEqual(runRules([rq('redirect', 'prefix', 'https://x.org')], target(req())),
    { kind: 'redirect', status: 302, location: 'https://x.org/Img/A.png?x=1&y=2' })
  assert.deepEqual(runRules([rq('redirect', 'prefix', '/p', 'drop-query')], target(req())),
    { kind: 'redirect', status: 302, location: '/p/Img/A.png' })
  assert.deepEqual(runRules([rq('redirect', 'scheme', 'https', 'if', '!{', 'always_false', '}')], target(req())),
    { kind: 'redirect', status: 302, location: 'https://Static.Example.com/Img/A.png?x=1&y=2' })
  assert.throws(() => rq('redirect', 'location', '/x', 'code', '200'), /unsupported HTTP code/)
})

test('set-var / set-var-fmt / unset-var', () => {
  const t = target(req())
  runRules([rq('set-var(txn.host)', 'req.hdr(host),lower'), rq('set-var(txn.n)', 'int(2),add(3)'), rq('set-var-fmt(txn.f)', '%[var(txn.n)]!')], t)
  assert.equal(t.vars.get('txn.host'), 'static.example.com')
  assert.equal(t.vars.get('txn.n'), 5)
  assert.equal(t.vars.get('txn.f'), '5!')
  runRules([rq('unset-var(txn.n)')], t)
  assert.equal(t.vars.has('txn.n'), false)
  assert.throws(() => rq('set-var(x)', 'str(a)'), /invalid variable name/)
})

test('http-response actions act on the response head', () => {
  const t = target(req(), head({ status: 200, reason: 'OK' }, [['Server', 'nginx']]))
  runRules([rs('set-header', 'X-Status', '%[status]'), rs('del-header', 'server'), rs('set-status', '503', 'reason', 'Busy')], t)
  assert.equal(headerValue(t.head, 'x-status'), '200')
  assert.equal(headerValue(t.head, 'server'), undefined)
  assert.equal(t.head.status, 503)
  assert.equal(t.head.reason, 'Busy')
  assert.throws(() => rq('set-status', '200'), /expects one of/)
})

test('rule syntax errors', () => {
  assert.throws(() => rq('frobnicate'), /but got 'frobnicate'/)
  assert.throws(() => rq('deny', 'foo'), RulesError)
  assert.throws(() => rq('set-header', 'X'), /expects/)
  assert.throws(() => rq('deny', 'if', 'nosuch'), /no such ACL/)
  assert.throws(() => rq('set-header', 'X', '%[res.hdr(a)]'), /may not be reliably used here/)
})
