import { test } from 'node:test'
import assert from 'node:assert/strict'
import { compileSampleExpr } from '../../../src/rules/compile.ts'
import * as core from '../../../src/core/hash.ts'

// the converters hash the whole sample with core/hash.ts
const sdbm = (s: string): number => core.sdbm(s, 0, s.length)
const djb2 = (s: string): number => core.djb2(s, 0, s.length)
const wt6 = (s: string): number => core.wt6(s, 0, s.length)
const crc32 = (s: string): number => core.crc32(s, 0, s.length)
const avalanche = core.fullHash
import { request, stream, ctx } from './helpers.ts'

const s = stream(request('/A/B?x=1', [['Host', 'WWW.Example.COM']]))
const ev = (text: string) => compileSampleExpr(text, ctx())(s)

test('case, length, concat, field, word', () => {
  assert.equal(ev('req.hdr(host),lower'), 'www.example.com')
  assert.equal(ev('str(abc),upper'), 'ABC')
  assert.equal(ev('str(abcd),length'), 4)
  s.vars.set('txn.v', 'V')
  assert.equal(ev('str(ab),concat(<,txn.v,>)'), 'ab<V>')
  assert.equal(ev('str(a.b.c.d),field(2,.)'), 'b')
  assert.equal(ev('str(a.b.c.d),field(-1,.)'), 'd')
  assert.equal(ev('str(a.b.c.d),field(2,.,0)'), 'b.c.d')
  assert.equal(ev('str(a.b.c.d),field(-2,.,2)'), 'b.c')
  assert.equal(ev('str(a..b),field(2,.)'), '')
  assert.equal(ev('str(..a..b.c),word(2,.)'), 'b')
})

test('regsub, strcmp, json, url_dec', () => {
  assert.equal(ev('str(a1b22),regsub([0-9]+,X,g)'), 'aXbX')
  assert.equal(ev('str(a1b22),regsub([0-9]+,X)'), 'aXb22')
  assert.equal(ev('str(ab),regsub(^(a)(b)$,\\2\\1)'), 'ba')
  assert.equal(ev("str(ab),regsub('^(a)(b)$','\\2\\1')"), 'ba')
  s.vars.set('txn.w', 'abd')
  assert.equal(ev('str(abd),strcmp(txn.w)'), 0)
  assert.ok((ev('str(abc),strcmp(txn.w)') as number) < 0)
  assert.equal(ev('str(a/b),json'), 'a\\/b')
  assert.equal(ev('str(%41+b?c+d),url_dec'), 'A+b?c d')
  assert.equal(ev('str(%4),url_dec'), undefined)
})

test('arithmetic and booleans, with variables as operands', () => {
  assert.equal(ev('int(7),add(3)'), 10)
  assert.equal(ev('int(7),sub(10)'), -3)
  assert.equal(ev('int(7),mul(3)'), 21)
  assert.equal(ev('int(7),div(2)'), 3)
  assert.equal(ev('int(-7),div(2)'), -3)
  assert.equal(ev('int(7),mod(4)'), 3)
  assert.equal(ev('int(7),mod(0)'), 0)
  assert.equal(ev('int(6),and(3)'), 2)
  assert.equal(ev('int(6),or(3)'), 7)
  assert.equal(ev('int(0),bool'), false)
  assert.equal(ev('int(0),not'), true)
  assert.equal(ev('str(12abc),add(1)'), 13, 'strings cast by leading digits')
  s.vars.set('txn.k', 5)
  assert.equal(ev('int(1),add(txn.k)'), 6)
})

test('encodings and bytes', () => {
  assert.equal(ev('str(abc),base64'), 'YWJj')
  assert.equal(ev('str(YWJj),b64dec'), 'abc')
  assert.equal(ev('str(YW!j),b64dec'), undefined)
  assert.equal(ev('str(abc),hex'), '616263')
  assert.equal(ev('str(abcdef),bytes(2,3)'), 'cde')
  assert.equal(ev('str(abcdef),bytes(4)'), 'ef')
})

test('ipmask and time formats', () => {
  assert.equal(ev('src,ipmask(24)'), '192.168.1.0')
  assert.equal(ev('src,ipmask(255.255.0.0)'), '192.168.0.0')
  assert.equal(ev('ipv6(2001:db8::1),ipmask(24,32)'), '2001:db8::')
  assert.equal(ev('int(0),utime(%Y-%m-%d %H:%M:%S)'), '1970-01-01 00:00:00')
  assert.equal(ev('int(86400),utime(%d/%b/%Y:%T %z,3600)'), '02/Jan/1970:01:00:00 +0000')
})

test('hash functions follow HAProxy definitions (values taken from haproxy 2.6)', () => {
  // reference values printed by haproxy 2.6 for %[str(abc),<fn>] (see vs-haproxy.test.ts for the live check)
  assert.equal(sdbm('abc'), 807794786)
  assert.equal(djb2('abc'), 193485963)
  assert.equal(wt6('abc'), 2483038440)
  assert.equal(crc32('abc'), 891568578)
  assert.equal(avalanche(sdbm('abc')), 659243622)
  assert.equal(ev('str(abc),sdbm(1)'), 659243622)
  assert.equal(ev('str(abc),crc32'), 891568578)
  // djb2 by its definition h = h*33 + c, from 5381
  let h = 5381
  for (const c of 'hello') h = (h * 33 + c.charCodeAt(0)) % 2 ** 32
  assert.equal(djb2('hello'), h)
})
