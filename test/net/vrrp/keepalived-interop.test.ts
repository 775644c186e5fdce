// pocketlb ↔ keepalived 2.2.7 in namespaces (root only), both roles:
// v2 multicast at advert_int 1 (keepalived's default) and v3 unicast at 0.1 s with nopreempt.
import { after, before, test } from 'node:test'
import assert from 'node:assert/strict'
import { Lan, until, vrrpConf, sleep } from './topo.ts'

const VIP = '10.77.0.100'
let lan: Lan
before(() => { lan = new Lan(3) })
after(async () => { await lan.destroy() })

/** Exactly one of nodes 1 and 2 holds the VIP (no split brain). */
const oneVip = (): boolean => lan.hasVip(1, VIP) !== lan.hasVip(2, VIP)

test('v2 multicast: pocketlb master, keepalived backup; handover, preempt, crash failover', async t => {
  const p = lan.start(1, 'pocketlb', vrrpConf({ prio: 150, version: 2, advert: '1' }))
  const k = lan.start(2, 'keepalived', vrrpConf({ prio: 100, version: 2, advert: '1' }))
  assert.ok(await until(() => p.state === 'MASTER' && k.state === 'BACKUP', 10_000), `p=${p.state} k=${k.state}\n${k.lines.join('\n')}`)
  await sleep(2500)                                         // steady state: several adverts accepted by keepalived
  assert.equal(p.state, 'MASTER'); assert.equal(k.state, 'BACKUP')
  assert.ok(lan.hasVip(1, VIP) && oneVip())
  assert.equal(lan.arpAnswer(3, VIP), lan.mac(1))

  // SIGTERM: pocketlb sends priority 0, keepalived takes over after its skew time
  const t0 = performance.now()
  await lan.terminate(p)
  assert.ok(await until(() => k.state === 'MASTER', 3000), k.lines.join('\n'))
  t.diagnostic(`priority-0 handover pocketlb→keepalived (v2, advert 1 s): ${(k.masterAt - t0).toFixed(0)} ms`)
  assert.ok(k.masterAt - t0 <= 1000)
  assert.ok(await until(() => lan.hasVip(2, VIP) && oneVip(), 2000))

  // pocketlb returns with the higher priority and preempts keepalived
  const p2 = lan.start(1, 'pocketlb', vrrpConf({ prio: 150, version: 2, advert: '1' }))
  assert.ok(await until(() => p2.state === 'MASTER' && k.state === 'BACKUP', 8000), `p2=${p2.state} k=${k.state}`)
  assert.ok(await until(() => lan.hasVip(1, VIP) && oneVip(), 2000))

  // crash of pocketlb: keepalived takes over after 3 × 1 s + skew
  await sleep(1200)
  const t1 = performance.now()
  lan.crash(p2)
  assert.ok(await until(() => k.state === 'MASTER', 6000), k.lines.join('\n'))
  t.diagnostic(`crash failover pocketlb→keepalived (v2, advert 1 s): ${(k.masterAt - t1).toFixed(0)} ms`)
  assert.ok(k.masterAt - t1 <= 4000)
  await lan.terminate(k)
})

test('v3 unicast: keepalived master, pocketlb backup; nopreempt keeps the master; crash failover', async t => {
  const k = lan.start(2, 'keepalived', vrrpConf({ prio: 100, version: 3, advert: '0.1', src: '10.77.0.2', peers: ['10.77.0.1'] }))
  assert.ok(await until(() => k.state === 'MASTER', 8000), k.lines.join('\n'))
  // pocketlb with the higher priority but nopreempt must not take the role
  const p = lan.start(1, 'pocketlb', vrrpConf({ prio: 200, version: 3, advert: '0.1', src: '10.77.0.1', peers: ['10.77.0.2'], nopreempt: true }))
  assert.ok(await until(() => p.state === 'BACKUP', 5000), p.lines.join('\n'))
  await sleep(1500)
  assert.equal(p.state, 'BACKUP'); assert.equal(k.state, 'MASTER')
  assert.ok(lan.hasVip(2, VIP) && oneVip())
  lan.setNeighbour(3, VIP, lan.mac(2))

  const t0 = performance.now()
  lan.crash(k)
  assert.ok(await until(() => p.state === 'MASTER', 3000), p.lines.join('\n'))
  const failover = p.masterAt - t0
  t.diagnostic(`crash failover keepalived→pocketlb (v3 unicast, advert 0.1 s): ${failover.toFixed(0)} ms`)
  assert.ok(failover <= 1000)
  assert.ok(await until(() => lan.neighbour(3, VIP) === lan.mac(1), 2500), `client has ${lan.neighbour(3, VIP)}`)
  lan.link(2, false)                                       // the dead box still holds the VIP: take it off the LAN
  assert.equal(lan.arpAnswer(3, VIP), lan.mac(1))
  lan.link(2, true)

  // keepalived returns (lower priority): it must stay backup under pocketlb
  const k2 = lan.start(2, 'keepalived', vrrpConf({ prio: 100, version: 3, advert: '0.1', src: '10.77.0.2', peers: ['10.77.0.1'] }))
  assert.ok(await until(() => k2.state === 'BACKUP', 5000), k2.lines.join('\n'))
  await sleep(1000)
  assert.equal(p.state, 'MASTER'); assert.equal(k2.state, 'BACKUP')
  assert.ok(lan.hasVip(1, VIP) && oneVip())
})
