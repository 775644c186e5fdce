/** map-based and consistent hashing balancers, and key extraction. */
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { createBalancer } from '../../../src/balance/registry.ts'
import { compileKeySource, addressKey } from '../../../src/balance/key.ts'
import { sdbm, fullHash } from '../../../src/core/hash.ts'
import { newHead, addHeader } from '../../../src/core/http-head.ts'
import type { BalancePlan, HashTypePlan } from '../../../src/config/plan.ts'
import type { StreamView } from '../../../src/core/stream-view.ts'
import { servers, picks, counts } from './helpers.ts'

const plan = (p: Partial<BalancePlan>): BalancePlan => ({
  algo: 'uri', uriWhole: false, uriPathOnly: false, uriLen: 0, uriDepth: 0,
  param: '', hdrName: '', hdrDomainOnly: false, draws: 0, ...p
})
const mapSdbm: HashTypePlan = { method: 'map-based', fn: 'sdbm', avalanche: false }
const consistent: HashTypePlan = { method: 'consistent', fn: 'sdbm', avalanche: true }

function view (uri: string, headers: [string, string][] = [], src = '10.0.0.1'): StreamView {
  const req = newHead()
  req.method = 'GET'; req.uri = uri
  for (const [k, v] of headers) addHeader(req, k, v)
  return { srcAddr: src, srcPort: 1234, dstAddr: '127.0.0.1', dstPort: 80, feName: 'f', beName: 'b', req, res: null, vars: new Map() }
}
const h = (s: string): number => sdbm(s, 0, s.length)

test('uri keys: path up to "?", whole, len, depth, path-only', () => {
  const key = (p: Partial<BalancePlan>, uri: string) => compileKeySource(plan(p), mapSdbm)!(view(uri))
  assert.equal(key({}, '/a/b?c=1'), h('/a/b'))
  assert.equal(key({ uriWhole: true }, '/a/b?c=1'), h('/a/b?c=1'))
  assert.equal(key({ uriLen: 3 }, '/a/b?c=1'), h('/a/'))
  assert.equal(key({ uriDepth: 1 }, '/a/b/c'), h('/a'))
  assert.equal(key({ uriDepth: 2 }, '/a/b/c'), h('/a/b'))
  assert.equal(key({}, 'http://h.example/x?y'), h('http://h.example/x'))
  assert.equal(key({ uriPathOnly: true }, 'http://h.example/x?y'), h('/x'))
  assert.equal(key({ uriPathOnly: true }, 'http://h.example'), h(''))
  assert.equal(compileKeySource(plan({}), consistent)!(view('/a')), fullHash(h('/a')))
})

test('url_param keys: value of the named parameter, -1 when absent', () => {
  const key = compileKeySource(plan({ algo: 'url_param', param: 'id' }), mapSdbm)!
  assert.equal(key(view('/p?x=1&id=42&id=7')), h('42'))
  assert.equal(key(view('/p?id=')), h(''))
  assert.equal(key(view('/p?xid=5')), -1)
  assert.equal(key(view('/p')), -1)
})

test('hdr keys: first value of the first occurrence, domain-only for host', () => {
  const key = compileKeySource(plan({ algo: 'hdr', hdrName: 'x-u' }), mapSdbm)!
  assert.equal(key(view('/', [['X-U', ' a , b'], ['x-u', 'c']])), h('a'))
  assert.equal(key(view('/', [['X-U', '"a,b", c']])), h('"a,b"'))
  assert.equal(key(view('/', [['X-U', '']])), -1)
  assert.equal(key(view('/')), -1)
  const dom = compileKeySource(plan({ algo: 'hdr', hdrName: 'host', hdrDomainOnly: true }), mapSdbm)!
  assert.equal(dom(view('/', [['Host', 'www.example.com']])), h('example'))
  assert.equal(dom(view('/', [['Host', 'example.com:8080']])), h('example'))
  assert.equal(dom(view('/', [['Host', 'localhost']])), h('localhost'))
})

test('source keys: IPv4 value, IPv6 folded by XOR of its words, -1 otherwise', () => {
  assert.equal(addressKey('127.0.0.1'), 0x7f000001)
  assert.equal(addressKey('::1'), 1)
  assert.equal(addressKey('::ffff:127.0.0.1'), (0x0000ffff ^ 0x7f000001) >>> 0)
  assert.equal(addressKey('2001:db8::1'), (0x20010db8 ^ 1) >>> 0)
  assert.equal(addressKey('2001:db8:0:0:0:0:0:1'), (0x20010db8 ^ 1) >>> 0)
  assert.equal(addressKey('fe80::1%lo'), (0xfe800000 ^ 1) >>> 0)
  assert.equal(addressKey('/tmp/sock'), -1)
  assert.equal(addressKey('1.2.3'), -1)
  const key = compileKeySource(plan({ algo: 'source' }), consistent)!
  assert.equal(key(view('/', [], '10.0.0.1')), fullHash(0x0a000001))
})

test('algorithms without a key compile to null', () => {
  for (const algo of ['roundrobin', 'static-rr', 'leastconn', 'first', 'random'] as const) {
    assert.equal(compileKeySource(plan({ algo }), mapSdbm), null)
  }
})

test('map-based: map[key % total weight]; missing key rotates', () => {
  const b = createBalancer(plan({}), mapSdbm, servers([1, 1, 1]))
  // equal weights: the map is s1 s2 s3
  assert.deepEqual([0, 1, 2, 3, 4, 5].map(k => b.pick(k, null)!.name), ['s1', 's2', 's3', 's1', 's2', 's3'])
  assert.deepEqual(counts(picks(b, 6)), { s1: 2, s2: 2, s3: 2 })
})

test('consistent: same key same server; removing a server only moves its keys', () => {
  const srv = servers([1, 1, 1, 1])
  const b = createBalancer(plan({}), consistent, srv)
  const before = Array.from({ length: 500 }, (_, i) => b.pick(fullHash(i), null)!)
  assert.deepEqual(Array.from({ length: 500 }, (_, i) => b.pick(fullHash(i), null)!), before)
  assert.equal(new Set(before).size, 4)
  srv[2]!.usable = false; b.serverDown(srv[2]!)
  const after = Array.from({ length: 500 }, (_, i) => b.pick(fullHash(i), null)!)
  for (let i = 0; i < 500; i++) {
    if (before[i] !== srv[2]) assert.equal(after[i], before[i])
    else assert.notEqual(after[i], srv[2])
  }
  srv[2]!.usable = true; b.serverUp(srv[2]!)
  assert.deepEqual(Array.from({ length: 500 }, (_, i) => b.pick(fullHash(i), null)!), before)
  // <avoid> moves the key to another server
  assert.notEqual(b.pick(fullHash(1), before[1]!), before[1])
  assert.equal(Object.keys(counts(picks(b, 400))).length, 4, 'missing keys rotate over every server')
})

test('consistent: weight sets the share of the ring', () => {
  const srv = servers([1, 4])
  const b = createBalancer(plan({}), consistent, srv)
  const c = counts(Array.from({ length: 5000 }, (_, i) => b.pick(fullHash(i * 7919), null)!.name))
  assert.ok(c.s2! > 3 * c.s1! * 0.7 && c.s2! < 4 * c.s1! * 1.4, JSON.stringify(c))
})
