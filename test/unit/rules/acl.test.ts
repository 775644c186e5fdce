import { test, after } from 'node:test'
import assert from 'node:assert/strict'
import { mkdtempSync, writeFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { compileAcl, compileCondition, mergeAcl } from '../../../src/rules/compile.ts'
import { Phase, RulesError } from '../../../src/rules/types.ts'
import { ctx, request, stream, head } from './helpers.ts'

const dir = mkdtempSync(join(tmpdir(), 'plb-rules-acl-'))
after(() => rmSync(dir, { recursive: true, force: true }))

const ws = stream(request('/chat/img.PNG', [
  ['Host', 'static.example.com'], ['Connection', 'keep-alive, Upgrade'], ['Upgrade', 'websocket'],
  ['Sec-WebSocket-Key', 'abc=='], ['Sec-WebSocket-Protocol', 'echo-protocol']
]))
const acl = (words: string[], s = ws, c = ctx()) => compileAcl(words, c)(s)

test('seed ACLs: hdr, hdr_beg, req.hdr_beg, hdr_end, path_end, hdr_cnt', () => {
  assert.equal(acl(['hdr(host)', '-i', 'STATIC.example.com']), true)
  assert.equal(acl(['hdr_beg(Host)', '-i', 'static.', 'images.']), true)
  assert.equal(acl(['req.hdr_beg(Host)', '-i', 'images.']), false)
  assert.equal(acl(['hdr_end(host)', '-i', '.EXAMPLE.com']), true)
  assert.equal(acl(['path_end', '-i', '.jpg', '.png']), true)
  assert.equal(acl(['path_end', '.png']), false, 'case-sensitive without -i')
  assert.equal(acl(['hdr(Connection)', '-i', 'upgrade']), true, 'every comma-separated value is tried')
  assert.equal(acl(['hdr_cnt(Sec-WebSocket-Key)', 'eq', '1']), true)
  assert.equal(acl(['hdr_cnt(Sec-WebSocket-Key)', 'gt', '1']), false)
  assert.equal(acl(['hdr(Sec-WebSocket-Protocol)', 'echo-protocol']), true)
  assert.equal(acl(['path_beg', '/chat/']), true)
  assert.equal(acl(['path_dir', 'chat']), true)
  assert.equal(acl(['hdr_dom(host)', 'example.com']), true)
  assert.equal(acl(['hdr_sub(host)', 'ample']), true)
  assert.equal(acl(['hdr_reg(host)', '^static\\.']), true)
  assert.equal(acl(['hdr_len(host)', '18']), true)
})

test('flags: -m, --, -f file, converters, operators', () => {
  writeFileSync(join(dir, 'hosts.lst'), '# hosts\nother.org\n\n  static.example.com  \n')
  const c = ctx(Phase.HttpReq, dir)
  assert.equal(acl(['hdr(host)', '-f', 'hosts.lst'], ws, c), true)
  assert.equal(acl(['hdr(host)', '-m', 'beg', 'stat']), true)
  assert.equal(acl(['hdr(host),upper', '-m', 'sub', 'EXAMPLE']), true)
  assert.equal(acl(['hdr(x-none)', '-m', 'found']), false)
  assert.equal(acl(['hdr(host)', '-m', 'found']), true)
  assert.equal(acl(['path', '--', '-x']), false)
  assert.equal(acl(['hdr_cnt(host)', 'ge', '1']), true)
  assert.equal(acl(['hdr_cnt(host)', 'lt', '1']), false)
  assert.equal(acl(['hdr_cnt(host)', '0:5']), true)
  assert.equal(acl(['src', '192.168.0.0/16']), true)
  assert.equal(acl(['src_port', '1024:']), true)
  assert.equal(acl(['int(1)', '-m', 'bool']), true)
  assert.throws(() => acl(['hdr(host)', '-z', 'x']), /not a valid ACL option/)
  assert.throws(() => acl(['hdr(host)', '-m', 'nope', 'x']), /valid match method/)
  assert.throws(() => acl(['hdr(host)', '-f', 'missing.lst'], ws, c), /failed to open pattern file/)
  assert.throws(() => acl(['hdrx(host)', 'x']), /unknown fetch method 'hdrx'/)
})

test('an ACL without pattern warns like HAProxy and never matches', () => {
  const c = ctx()
  assert.equal(acl(['hdr(host)'], ws, c), false)
  assert.match(c.warnings[0], /no pattern to match against were provided/)
})

test('mergeAcl ORs several lines of one name', () => {
  const c = ctx()
  mergeAcl(c, 'img', compileAcl(['hdr_beg(host)', 'images.'], c))
  assert.equal(compileCondition(['img'], c)(ws), false)
  mergeAcl(c, 'img', compileAcl(['hdr_beg(host)', 'static.'], c))
  assert.equal(compileCondition(['img'], c)(ws), true)
})

test('predefined ACLs', () => {
  const c = ctx()
  const cond = (w: string, s = ws) => compileCondition([w], c)(s)
  assert.equal(cond('TRUE'), true)
  assert.equal(cond('FALSE'), false)
  assert.equal(cond('HTTP'), true)
  assert.equal(cond('HTTP_1.1'), true)
  assert.equal(cond('HTTP_1.0'), false)
  assert.equal(cond('METH_GET'), true)
  assert.equal(cond('METH_GET', stream(request('/', [], 'HEAD'))), true)
  assert.equal(cond('METH_POST'), false)
  assert.equal(cond('LOCALHOST'), false)
  assert.equal(cond('LOCALHOST', stream(null, null, { srcAddr: '127.0.0.5' })), true)
  assert.equal(cond('HTTP_URL_SLASH'), true)
  assert.equal(cond('HTTP_URL_ABS'), false)
  assert.equal(cond('HTTP_URL_ABS', stream(request('http://a/b'))), true)
  assert.equal(cond('HTTP_CONTENT', stream(request('/', [['Content-Length', '3']], 'POST'))), true)
  const mine = ctx()
  mine.acls.set('TRUE', compileAcl(['always_false'], mine))
  assert.equal(compileCondition(['TRUE'], mine)(ws), false, 'a user ACL hides a predefined one')
})

test('phase: a response ACL used in an http-request condition is refused', () => {
  const c = ctx(Phase.HttpReq)
  c.acls.set('is_redirect', compileAcl(['status', '301:302'], c))
  assert.throws(() => compileCondition(['is_redirect'], c), /will never match/)
  const r = ctx(Phase.HttpRes)
  r.acls.set('is_redirect', c.acls.get('is_redirect')!)
  assert.equal(compileCondition(['is_redirect'], r)(stream(request('/'), head({ status: 302 }))), true)
  assert.throws(() => compileCondition(['{', 'res.hdr(x)', 'y', '}'], c), RulesError)
})
