import { test } from 'node:test'
import assert from 'node:assert/strict'
import { crc32, djb2, sdbm, wt6, fullHash, noHash } from '../../../src/core/hash.ts'

const all = (f: (s: string, a: number, b: number) => number, s: string): number => f(s, 0, s.length)

test('crc32 gives the standard check value', () => {
  assert.equal(all(crc32, '123456789'), 0xcbf43926)
  assert.equal(all(crc32, ''), 0)
})

test('sdbm and djb2 follow their recurrences', () => {
  assert.equal(all(sdbm, ''), 0)
  assert.equal(all(sdbm, 'a'), 97)
  assert.equal(all(sdbm, 'ab'), (98 + 97 * 65599) >>> 0)
  assert.equal(all(djb2, ''), 5381)
  assert.equal(all(djb2, 'a'), 5381 * 33 + 97)
  // long input wraps at 32 bits and stays unsigned
  const h = all(djb2, 'x'.repeat(100))
  assert.ok(h >= 0 && h < 2 ** 32)
})

test('ranges hash only the selected bytes', () => {
  for (const f of [sdbm, djb2, wt6, crc32]) assert.equal(f('--/abc?q', 2, 6), all(f, '/abc'))
})

test('wt6 depends on every byte', () => {
  assert.notEqual(all(wt6, 'abc'), all(wt6, 'abd'))
  assert.equal(all(wt6, 'abc'), all(wt6, 'abc'))
})

test('fullHash is unsigned and spreads neighbours', () => {
  const seen = new Set<number>()
  for (let i = 0; i < 4096; i++) {
    const h = fullHash(4096 + i)
    assert.ok(h >= 0 && h < 2 ** 32)
    seen.add(h >>> 28)
  }
  assert.equal(seen.size, 16, 'neighbouring inputs land in every sixteenth of the ring')
})

test('none reads a decimal integer', () => {
  assert.equal(all(noHash, '1234x'), 1234)
  assert.equal(all(noHash, '-1'), 0xffffffff)
})
