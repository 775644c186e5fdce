/** leastconn, first and random: connection counts drive the choice. */
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { leastconn } from '../../../src/balance/leastconn.ts'
import { first } from '../../../src/balance/first.ts'
import { random } from '../../../src/balance/random.ts'
import type { Balancer, LbServer } from '../../../src/balance/types.ts'
import { servers, opts, counts } from './helpers.ts'

function take (b: Balancer, s: LbServer | null): LbServer {
  assert.ok(s)
  s.cur++; b.connTaken(s)
  return s
}
function drop (b: Balancer, s: LbServer): void { s.cur--; b.connDropped(s) }

test('leastconn picks the least loaded relative to weight', () => {
  const srv = servers([1, 2])
  const b = leastconn(srv, opts)
  // (cur+1)/weight: s2 takes two connections for each one of s1
  const names: string[] = []
  for (let i = 0; i < 6; i++) names.push(take(b, b.pick(-1, null)).name)
  assert.deepEqual(counts(names), { s1: 2, s2: 4 })
})

test('leastconn rotates among idle servers (sequential requests)', () => {
  const b = leastconn(servers([1, 1, 1]), opts)
  const names: string[] = []
  for (let i = 0; i < 6; i++) { const s = take(b, b.pick(-1, null)); names.push(s.name); drop(b, s) }
  assert.deepEqual(names, ['s1', 's2', 's3', 's1', 's2', 's3'])
})

test('leastconn skips full, down and avoided servers; backups last', () => {
  const srv = servers([1, 1, 1], [3])
  const b = leastconn(srv, opts)
  srv[0]!.maxconn = 1
  take(b, b.pick(-1, null))
  assert.equal(b.pick(-1, null), srv[1])
  assert.equal(b.pick(-1, srv[1]!), srv[1], 'the avoided server is used when it is the only one with room')
  srv[1]!.usable = false; b.serverDown(srv[1]!)
  assert.equal(b.pick(-1, null), null, 'the only active left is full: wait in queue, no backup')
  srv[0]!.usable = false; b.serverDown(srv[0]!)
  assert.equal(b.pick(-1, null), srv[2])
})

test('first fills servers in id order up to their maxconn', () => {
  const srv = servers([1, 1, 1])
  for (const s of srv) s.maxconn = 2
  const b = first(srv, opts)
  const held: LbServer[] = []
  for (let i = 0; i < 6; i++) held.push(take(b, b.pick(-1, null)))
  assert.deepEqual(held.map(s => s.name), ['s1', 's1', 's2', 's2', 's3', 's3'])
  assert.equal(b.pick(-1, null), null)
  drop(b, held[2]!)
  assert.equal(b.pick(-1, null), srv[1])
  srv[1]!.usable = false; b.serverDown(srv[1]!)
  assert.equal(b.pick(-1, null), null)
})

function seeded (seed: number): () => number {
  let x = seed
  return () => { x ^= x << 13; x ^= x >>> 17; x ^= x << 5; return (x >>> 0) / 2 ** 32 }
}

test('random with draws spreads by weight and prefers the less loaded draw', () => {
  const srv = servers([1, 3])
  const one = random(srv, { ...opts, draws: 1, rand: seeded(7) })
  const c: Record<string, number> = {}
  for (let i = 0; i < 4000; i++) { const n = one.pick(-1, null)!.name; c[n] = (c[n] ?? 0) + 1 }
  assert.ok(c.s2! > 2 * c.s1!, `weight 3 gets about 3x the picks: ${JSON.stringify(c)}`)
  const two = random(srv, { ...opts, draws: 2, rand: seeded(9) })
  srv[1]!.cur = 10
  let s1 = 0
  for (let i = 0; i < 200; i++) if (two.pick(-1, null) === srv[0]) s1++
  assert.ok(s1 > 100, `with s2 loaded, two draws favour s1: ${s1}/200`)
  srv[0]!.maxconn = 1; srv[0]!.cur = 1; srv[1]!.maxconn = 10
  assert.equal(two.pick(-1, null), null, 'everyone full: queue')
})
