import { test } from 'node:test'
import assert from 'node:assert/strict'
import { slotTable, type SlotTable } from '../../../src/l4/slots.ts'
import { buildModel, nftTransaction } from '../../../src/l4/nft-ruleset.ts'
import type { VirtualServerPlan } from '../../../src/l4/plan.ts'

/** server id of every value of the table */
function expand (t: SlotTable): string[] {
  const out: string[] = []
  for (const r of t.ranges) for (let v = r.lo; v <= r.hi; v++) out.push(r.id)
  assert.equal(out.length, t.modulus)
  return out
}
const count = (ids: string[]): Record<string, number> => ids.reduce<Record<string, number>>((m, id) => { m[id] = (m[id] ?? 0) + 1; return m }, {})

test('rr takes each usable server once, weight 0 servers none; no usable server gives no table', () => {
  const t = slotTable('rr', [{ id: 'a', weight: 5 }, { id: 'b', weight: 0 }, { id: 'c', weight: 1 }])!
  assert.deepEqual([t.source, expand(t)], ['numgen', ['a', 'c']])
  assert.equal(slotTable('wrr', [{ id: 'a', weight: 0 }]), null)
})

test('wrr follows LVS: the current weight steps down by the gcd', () => {
  assert.deepEqual(expand(slotTable('wrr', [{ id: 'a', weight: 3 }, { id: 'b', weight: 1 }])!), ['a', 'a', 'a', 'b'])
  assert.deepEqual(expand(slotTable('wrr', [{ id: 'a', weight: 4 }, { id: 'b', weight: 2 }, { id: 'c', weight: 2 }])!), ['a', 'a', 'b', 'c'])
  const big = slotTable('wrr', [{ id: 'a', weight: 65535 }, { id: 'b', weight: 30000 }])!
  assert.ok(big.modulus <= 4200)
  const c = count(expand(big))
  assert.ok(Math.abs(c.a! / c.b! - 65535 / 30000) < 0.01)
})

test('sh fills 256 buckets by weight; mh moves only the slots of a removed server', () => {
  const sh = count(expand(slotTable('sh', [{ id: 'a', weight: 1 }, { id: 'b', weight: 3 }])!))
  assert.deepEqual(sh, { a: 64, b: 192 })
  const three = expand(slotTable('mh', [{ id: '10.0.0.1:80', weight: 1 }, { id: '10.0.0.2:80', weight: 1 }, { id: '10.0.0.3:80', weight: 1 }])!)
  const two = expand(slotTable('mh', [{ id: '10.0.0.1:80', weight: 1 }, { id: '10.0.0.3:80', weight: 1 }])!)
  const c = count(three)
  for (const n of Object.values(c)) assert.ok(n >= 80 && n <= 88, `balanced: ${JSON.stringify(c)}`)
  const moved = three.filter((id, i) => id !== '10.0.0.2:80' && two[i] !== id).length
  assert.ok(moved < 25, `only a few slots of the remaining servers move (${moved})`)
})

const where = { file: 'ka.conf', line: 1 }
const vs = (persistence: number, servers: string[]): VirtualServerPlan => ({
  name: '10.0.0.1:80', key: 'v_10_0_0_1_80_tcp', addresses: [{ addr: '10.0.0.1', port: 80 }], protocol: 'tcp', algo: 'wrr', kind: 'NAT',
  delayLoop: 1000, persistenceTimeout: persistence, sorryServer: { addr: '10.0.1.9', port: 80 }, where,
  realServers: servers.map(s => ({ addr: s, port: 8080, weight: 1, inhibitOnFailure: false, checkers: [], where }))
})

test('the first transaction recreates the table; later ones flush and refill chains and delete only what is gone', () => {
  const plan = vs(30_000, ['10.0.1.1', '10.0.1.2'])
  const both = buildModel([{ plan, weights: new Map([['10.0.1.1:8080', 1], ['10.0.1.2:8080', 1]]) }])
  const first = nftTransaction(null, both)
  // leftovers of both tables go, whether they exist or not; no DR service: no netdev table
  assert.match(first, /^add table ip pocketlb_l4\ndelete table ip pocketlb_l4\nadd table netdev pocketlb_dr\ndelete table netdev pocketlb_dr\nadd table ip pocketlb_l4\n/)
  assert.match(first, /\nadd ct timeout ip pocketlb_l4 plb_tcp \{ protocol tcp; l3proto ip; policy = \{ time_wait: 10 \}; \}\nadd ct timeout ip pocketlb_l4 plb_udp \{ protocol udp; l3proto ip; policy = \{ unreplied: 10, replied: 300 \}; \}\n/)
  assert.equal(first.match(/pocketlb_dr/g)!.length, 2)
  // the TCP service's flows get the short TIME_WAIT before they are dispatched
  assert.match(first, /add rule ip pocketlb_l4 v_10_0_0_1_80_tcp ct timeout set "plb_tcp"\nadd rule ip pocketlb_l4 v_10_0_0_1_80_tcp ip saddr @/)
  assert.match(first, /add rule ip pocketlb_l4 hook_prerouting ip daddr 10\.0\.0\.1 fib daddr type local tcp dport 80 goto v_10_0_0_1_80_tcp\n/)
  assert.match(first, /add rule ip pocketlb_l4 v_10_0_0_1_80_tcp numgen inc mod 2 vmap \{ 0 : goto v_10_0_0_1_80_tcp__10_0_1_1_8080, 1 : goto v_10_0_0_1_80_tcp__10_0_1_2_8080 \}\n/)
  assert.match(first, /add rule ip pocketlb_l4 v_10_0_0_1_80_tcp__10_0_1_1_8080 update @v_10_0_0_1_80_tcp__10_0_1_1_8080__p30000 \{ ip saddr \} counter name "v_10_0_0_1_80_tcp__10_0_1_1_8080__flows" meta l4proto tcp dnat to 10\.0\.1\.1:8080\n/)
  assert.doesNotMatch(first, /flush chain/)
  const oneDown = buildModel([{ plan, weights: new Map([['10.0.1.1:8080', 1], ['10.0.1.2:8080', 0]]) }])
  const second = nftTransaction(both, oneDown)
  assert.doesNotMatch(second, /delete table/)
  assert.match(second, /flush chain ip pocketlb_l4 hook_prerouting\n/)
  assert.match(second, /add rule ip pocketlb_l4 v_10_0_0_1_80_tcp goto v_10_0_0_1_80_tcp__10_0_1_1_8080\n/)
  assert.match(second, /flush chain ip pocketlb_l4 v_10_0_0_1_80_tcp__10_0_1_2_8080\ndelete chain ip pocketlb_l4 v_10_0_0_1_80_tcp__10_0_1_2_8080\ndelete set ip pocketlb_l4 v_10_0_0_1_80_tcp__10_0_1_2_8080__p30000\n$/)
  assert.doesNotMatch(second, /delete counter/, 'the down server keeps its counters')
  const allDown = nftTransaction(oneDown, buildModel([{ plan, weights: new Map() }]))
  assert.match(allDown, /add rule ip pocketlb_l4 v_10_0_0_1_80_tcp goto v_10_0_0_1_80_tcp__sorry\n/)
  assert.match(allDown, /add rule ip pocketlb_l4 v_10_0_0_1_80_tcp__sorry counter name "v_10_0_0_1_80_tcp__sorry__flows" meta l4proto tcp dnat to 10\.0\.1\.9:80\n/)
})
