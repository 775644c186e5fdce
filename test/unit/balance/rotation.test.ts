/** roundrobin and static-rr: weights, downs, ups, weight changes, backups, avoid. */
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { roundRobin } from '../../../src/balance/roundrobin.ts'
import { staticRr } from '../../../src/balance/static-rr.ts'
import type { BalancerFactory } from '../../../src/balance/types.ts'
import { servers, opts, picks, counts } from './helpers.ts'

test('static-rr: each table walk serves every server its weight', () => {
  const b = staticRr(servers([10, 15, 15]), opts)
  for (let w = 0; w < 3; w++) assert.deepEqual(counts(picks(b, 40)), { s1: 10, s2: 15, s3: 15 })
})

test('roundrobin 3:1 gives s1 s1 s1 s2 (HAProxy order, not smooth)', () => {
  const b = roundRobin(servers([3, 1]), opts)
  assert.deepEqual(picks(b, 8), ['s1', 's1', 's1', 's2', 's1', 's1', 's1', 's2'])
})

for (const [name, f] of [['roundrobin', roundRobin], ['static-rr', staticRr]] as [string, BalancerFactory][]) {
  test(`${name}: servers are served in proportion to their weights`, () => {
    const b = f(servers([10, 15, 15]), opts)
    const c = counts(picks(b, 400))
    for (const [s, want] of [['s1', 100], ['s2', 150], ['s3', 150]] as const) {
      assert.ok(Math.abs(c[s]! - want) <= 1, `${s}: ${c[s]} picks, want ${want}`)
    }
  })

  test(`${name}: a down server is skipped and comes back when up`, () => {
    const srv = servers([1, 1, 1])
    const b = f(srv, opts)
    srv[1]!.usable = false; b.serverDown(srv[1]!)
    assert.deepEqual(counts(picks(b, 10)), { s1: 5, s3: 5 })
    srv[1]!.usable = true; b.serverUp(srv[1]!)
    assert.deepEqual(counts(picks(b, 30)), { s1: 10, s2: 10, s3: 10 })
  })

  test(`${name}: weight 0 is never picked, weight back restores it`, () => {
    const srv = servers([2, 2])
    const b = f(srv, opts)
    srv[0]!.weight = 0; b.weightChanged(srv[0]!)
    assert.deepEqual(counts(picks(b, 6)), { s2: 6 })
    srv[0]!.weight = 2; b.weightChanged(srv[0]!)
    assert.deepEqual(counts(picks(b, 8)), { s1: 4, s2: 4 })
  })

  test(`${name}: backups only when no active is usable, first backup only`, () => {
    const srv = servers([1, 1, 1, 1], [3, 4])
    const b = f(srv, opts)
    assert.deepEqual(counts(picks(b, 4)), { s1: 2, s2: 2 })
    for (const s of srv.slice(0, 2)) { s.usable = false; b.serverDown(s) }
    assert.deepEqual(counts(picks(b, 4)), { s3: 4 })
    srv[2]!.usable = false; b.serverDown(srv[2]!)
    assert.deepEqual(counts(picks(b, 4)), { s4: 4 })
    srv[3]!.usable = false; b.serverDown(srv[3]!)
    assert.equal(b.pick(-1, null), null)
    srv[0]!.usable = true; b.serverUp(srv[0]!)
    assert.deepEqual(counts(picks(b, 3)), { s1: 3 })
  })

  test(`${name}: allbackups spreads over every usable backup`, () => {
    const srv = servers([1, 1, 1], [2, 3])
    const b = f(srv, { ...opts, allbackups: true })
    srv[0]!.usable = false; b.serverDown(srv[0]!)
    assert.deepEqual(counts(picks(b, 6)), { s2: 3, s3: 3 })
  })

  test(`${name}: <avoid> is skipped unless it is the only choice, full servers too`, () => {
    const srv = servers([1, 1])
    const b = f(srv, opts)
    assert.deepEqual(picks(b, 4, -1, srv[0]!), ['s2', 's2', 's2', 's2'])
    srv[1]!.usable = false; b.serverDown(srv[1]!)
    assert.equal(b.pick(-1, srv[0]!), srv[0])
    srv[1]!.usable = true; b.serverUp(srv[1]!)
    srv[1]!.maxconn = 1; srv[1]!.cur = 1
    assert.deepEqual(counts(picks(b, 4)), { s1: 4 })
  })
}

test('roundrobin: a weight change takes effect in the next windows', () => {
  const srv = servers([1, 1])
  const b = roundRobin(srv, opts)
  picks(b, 2)
  srv[0]!.weight = 3; b.weightChanged(srv[0]!)
  picks(b, 8) // transition windows
  assert.deepEqual(counts(picks(b, 40)), { s1: 30, s2: 10 })
})
