import { test } from 'node:test'
import assert from 'node:assert/strict'
import { buildLookup, parseRange } from '../../../src/rules/pattern.ts'
import type { MatchMethod } from '../../../src/rules/pattern.ts'
import { RulesError } from '../../../src/rules/types.ts'

const entries = (...keys: string[]) => keys.map((key, i) => ({ key, value: `v${i}` }))
const hit = (m: MatchMethod, keys: string[], v: string | number, icase = false) => buildLookup(m, entries(...keys), icase)(v)?.value

test('str: exact, -i lowercases patterns and sample', () => {
  assert.equal(hit('str', ['abc', 'Def'], 'abc'), 'v0')
  assert.equal(hit('str', ['abc', 'Def'], 'def'), undefined)
  assert.equal(hit('str', ['abc', 'Def'], 'DEF', true), 'v1')
  assert.equal(hit('str', ['x', 'x'], 'x'), 'v0', 'first duplicate wins')
})

test('beg: case-sensitive answers the longest prefix, -i the first declared', () => {
  assert.equal(hit('beg', ['/a', '/a/b'], '/a/b/c'), 'v1')
  assert.equal(hit('beg', ['/a', '/a/b'], '/a/b/c', true), 'v0')
  assert.equal(hit('beg', ['static.', 'images.'], 'IMAGES.x.com', true), 'v1')
  assert.equal(hit('beg', ['/abc'], '/ab'), undefined)
})

test('end and sub', () => {
  assert.equal(hit('end', ['.jpg', '.png'], '/x/y.PNG', true), 'v1')
  assert.equal(hit('end', ['.jpg'], '/x/y.PNG'), undefined)
  assert.equal(hit('sub', ['foo', 'bar'], 'xxbarfoo'), 'v0')
  assert.equal(hit('sub', ['BAR'], 'xxbar', true), 'v0')
})

test('dir matches slash-delimited runs of segments', () => {
  assert.equal(hit('dir', ['img'], '/static/img/x.png'), 'v0')
  assert.equal(hit('dir', ['/static/img/'], '/static/img/x.png'), 'v0')
  assert.equal(hit('dir', ['im'], '/static/img/x.png'), undefined)
  assert.equal(hit('dir', ['x.png'], '/a/x.png?q=1'), 'v0')
})

test('dom matches dot-delimited runs of labels (domain and parents)', () => {
  assert.equal(hit('dom', ['example.com'], 'www.example.com'), 'v0')
  assert.equal(hit('dom', ['example.com'], 'example.com'), 'v0')
  assert.equal(hit('dom', ['example.com'], 'myexample.com'), undefined)
  assert.equal(hit('dom', ['.example.com.'], 'a.example.com:8080'), 'v0')
  assert.equal(hit('dom', ['www.example.com', 'example.com'], 'www.example.com'), 'v0')
  assert.equal(hit('dom', ['example.com', 'www.example.com'], 'www.example.com'), 'v0', 'first declared wins')
  assert.equal(hit('dom', ['EXAMPLE.com'], 'www.Example.COM', true), 'v0')
})

test('reg, with -i as a regex flag; bad regex is a RulesError', () => {
  assert.equal(hit('reg', ['^/api/v[0-9]+/'], '/api/v2/users'), 'v0')
  assert.equal(hit('reg', ['^/API'], '/api', true), 'v0')
  assert.throws(() => hit('reg', ['(['], 'x'), RulesError)
})

test('int ranges and len', () => {
  assert.deepEqual(parseRange('5'), [5, 5])
  assert.deepEqual(parseRange('1:3'), [1, 3])
  assert.deepEqual(parseRange(':3'), [-Infinity, 3])
  assert.deepEqual(parseRange('7:'), [7, Infinity])
  assert.throws(() => parseRange('abc'), RulesError)
  assert.equal(hit('int', ['1:3', '10:'], 2), 'v0')
  assert.equal(hit('int', ['1:3', '10:'], 11), 'v1')
  assert.equal(hit('int', ['1:3', '10:'], 5), undefined)
  assert.equal(hit('len', ['3'], 'abc'), 'v0')
  assert.equal(hit('len', ['4:'], 'abc'), undefined)
})

test('ip: CIDR and dotted masks, longest prefix, v4-mapped v6, v6 networks', () => {
  assert.equal(hit('ip', ['10.0.0.0/8', '10.1.0.0/16'], '10.1.2.3'), 'v1')
  assert.equal(hit('ip', ['10.0.0.0/8', '10.1.0.0/16'], '10.2.2.3'), 'v0')
  assert.equal(hit('ip', ['192.168.0.0/255.255.0.0'], '192.168.9.9'), 'v0')
  assert.equal(hit('ip', ['127.0.0.1'], '::ffff:127.0.0.1'), 'v0')
  assert.equal(hit('ip', ['::ffff:10.0.0.0/104'], '10.3.3.3'), 'v0')
  assert.equal(hit('ip', ['2001:db8::/32'], '2001:db8:1::5'), 'v0')
  assert.equal(hit('ip', ['2001:db8::/32'], '2001:db9::5'), undefined)
  assert.equal(hit('ip', ['10.0.0.0/8'], 'not-an-ip'), undefined)
  assert.throws(() => hit('ip', ['10.0.0.0/40'], '10.0.0.1'), RulesError)
})

test('bin compares hex patterns with bytes', () => {
  assert.equal(hit('bin', ['414243'], 'ABC'), 'v0')
  assert.throws(() => hit('bin', ['4'], 'A'), RulesError)
})
