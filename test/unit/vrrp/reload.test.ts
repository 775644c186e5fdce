// Reload of the VRRP part (keepalived's way): which instances stay, and a running
// instance taking its new plan in place, with in-memory wire, clock and VIPs.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { VrrpInstance, type TrackSpec } from '../../../src/vrrp/instance.ts'
import { diffInstances, diffVips } from '../../../src/vrrp/reconcile.ts'
import { initialState, reconfigure, step, type FsmConfig } from '../../../src/vrrp/fsm.ts'
import type { VipPlan, VrrpInstancePlan, VrrpPlan, VrrpTransition } from '../../../src/vrrp/types.ts'
import { applyKeepalived } from '../../../src/vrrp/reload.ts'
import { SyncGroup } from '../../../src/vrrp/sync-group.ts'
import type { VirtualServerPlan } from '../../../src/l4/plan.ts'
import { FakeTime, FakeVips, FakeWire } from './fakes.ts'
import { instancePlan } from './plan-of.ts'

const where = { file: 'test', line: 1 }
const vip = (addr: string): VipPlan => ({ addr, prefixLen: 24, dev: 'eth0', label: null, where })
const settle = async (): Promise<void> => { for (let i = 0; i < 5; i++) await new Promise(resolve => setImmediate(resolve)) }

test('diffInstances: same name and router stays; a changed interface, VRID or peers is a removal plus an addition', () => {
  const running = [instancePlan({ name: 'A' }), instancePlan({ name: 'B', vrid: 52 }), instancePlan({ name: 'C', vrid: 53 }), instancePlan({ name: 'D', vrid: 54 })]
  const next = [
    instancePlan({ name: 'A', priority: 50, advertInt: 200, vips: [vip('10.0.0.7')] }),  // settings only: in place
    instancePlan({ name: 'B', vrid: 99 }),                                                // VRID changed
    instancePlan({ name: 'C', vrid: 53, unicastPeers: ['10.0.0.9'] }),                    // peers changed
    instancePlan({ name: 'E', vrid: 55 })                                                  // new
  ]
  const d = diffInstances(running, p => p, next)
  assert.deepEqual(d.kept.map(([old, p]) => [old.name, p.priority]), [['A', 50]])
  assert.deepEqual(d.added.map(p => p.name), ['B', 'C', 'E'])
  assert.deepEqual(d.removed.map(p => p.name), ['B', 'C', 'D'])
})

test('diffVips: by address, prefix, device and label', () => {
  const d = diffVips([vip('10.0.0.1'), vip('10.0.0.2'), vip('10.0.0.3')], [vip('10.0.0.1'), { ...vip('10.0.0.2'), prefixLen: 32 }, vip('10.0.0.4')])
  assert.deepEqual(d.added.map(v => `${v.addr}/${v.prefixLen}`), ['10.0.0.2/32', '10.0.0.4/24'])
  assert.deepEqual(d.removed.map(v => `${v.addr}/${v.prefixLen}`), ['10.0.0.2/24', '10.0.0.3/24'])
})

test('fsm reconfigure: the state stays; a master re-arms its advert timer at the new interval; a v3 backup keeps the interval learnt from its master', () => {
  const cfg: FsmConfig = { version: 3, adverInt: 1000, preempt: true, preemptDelay: 0, primaryIp: '10.0.0.1' }
  const [master] = step(initialState(cfg, 255), { t: 'start' }, 0)
  assert.equal(master.state, 'MASTER')
  const [m2, eff] = reconfigure(master, { ...cfg, adverInt: 200 })
  assert.equal(m2.state, 'MASTER')
  assert.equal(m2.masterAdverInt, 200)
  assert.deepEqual(eff, [{ t: 'arm', timer: 'adver', ms: 200 }])
  assert.deepEqual(reconfigure(m2, { ...cfg, adverInt: 200, preempt: false })[1], [], 'no timer change when the interval stays')

  const [backup] = step(initialState(cfg, 100), { t: 'start' }, 0)
  const [learnt] = step(backup, { t: 'advert', from: '10.0.0.2', prio: 200, adverInt: 500 }, 1)
  const [b2, none] = reconfigure(learnt, { ...cfg, adverInt: 300 })
  assert.equal(b2.state, 'BACKUP')
  assert.equal(b2.masterAdverInt, 500)
  assert.deepEqual(none, [])
  assert.equal(reconfigure(learnt, { ...cfg, version: 2, adverInt: 3000 })[0].masterAdverInt, 3000, 'v2: a backup times its master with its own interval')
})

interface Node { inst: VrrpInstance; vips: FakeVips; transitions: VrrpTransition[] }

function node (time: FakeTime, wire: FakeWire, addr: string, over: Partial<VrrpInstancePlan>, tracks: TrackSpec[] = []): Node {
  const vips = new FakeVips()
  const inst = new VrrpInstance(instancePlan(over), tracks, { clock: time, timers: time, transport: wire.port(addr), vips })
  const transitions: VrrpTransition[] = []
  inst.on('transition', tr => transitions.push(tr))
  return { inst, vips, transitions }
}

async function masterAndBackup (): Promise<{ time: FakeTime; wire: FakeWire; A: Node; B: Node }> {
  const time = new FakeTime(); const wire = new FakeWire()
  const A = node(time, wire, '10.0.0.1', { priority: 150 }); const B = node(time, wire, '10.0.0.2', { priority: 100 })
  await A.inst.start(); await B.inst.start()
  time.advance(5000); await settle()
  assert.equal(A.inst.state, 'MASTER'); assert.equal(B.inst.state, 'BACKUP')
  return { time, wire, A, B }
}

test('reconfigure while master: no transition, VIPs added and removed on the interface (the new ones announced), adverts go on', async () => {
  const { time, wire, A, B } = await masterAndBackup()
  const seen = A.transitions.length
  A.vips.log.length = 0
  A.inst.reconfigure(instancePlan({ priority: 150, vips: [vip('10.0.0.101')] }), [])
  await settle()
  assert.deepEqual([...A.vips.up], ['10.0.0.101'])
  assert.deepEqual(A.vips.log, ['del 10.0.0.100', 'add 10.0.0.101', 'garp 10.0.0.101 x5'])
  const sent = wire.sent.length
  time.advance(10_000); await settle()
  assert.equal(A.transitions.length, seen, 'the master did not go through INIT or BACKUP')
  assert.equal(A.inst.state, 'MASTER'); assert.equal(B.inst.state, 'BACKUP')
  assert.ok(wire.sent.length - sent >= 9, 'adverts every second')
  assert.deepEqual(A.inst.status().vips, ['10.0.0.101/24'])
})

test('reconfigure while backup: VIPs are not touched, the state stays; a master later puts on the new VIPs', async () => {
  const { time, A, B } = await masterAndBackup()
  const seen = B.transitions.length
  B.vips.log.length = 0
  B.inst.reconfigure(instancePlan({ priority: 100, vips: [vip('10.0.0.101')] }), [])
  time.advance(5000); await settle()
  assert.deepEqual(B.vips.log, [])
  assert.equal(B.inst.state, 'BACKUP')
  assert.equal(B.transitions.length, seen)
  await A.inst.stop()
  time.advance(1000); await settle()
  assert.equal(B.inst.state, 'MASTER')
  assert.deepEqual([...B.vips.up], ['10.0.0.101'])
})

test('reconfigure lowering the master\'s priority below the backup\'s: the backup preempts, the VIPs move', async () => {
  const { time, A, B } = await masterAndBackup()
  A.inst.reconfigure(instancePlan({ priority: 50 }), [])
  time.advance(5000); await settle()
  assert.equal(B.inst.state, 'MASTER')
  assert.equal(A.inst.state, 'BACKUP')
  assert.deepEqual([...B.vips.up], ['10.0.0.100'])
  assert.equal(A.vips.up.size, 0)
  assert.equal(A.inst.status().basePriority, 50)
})

test('reconfigure changing advert_int on the master: adverts at the new pace', async () => {
  const { time, wire, A } = await masterAndBackup()
  A.inst.reconfigure(instancePlan({ priority: 150, advertInt: 250 }), [])
  const from = wire.sent.filter(s => s.src === '10.0.0.1').length
  time.advance(2000)
  assert.equal(wire.sent.filter(s => s.src === '10.0.0.1').length - from, 8)
})

test('reconfigure keeps the state of tracks still listed; a new one starts OK; a removed failing one no longer counts', async () => {
  const time = new FakeTime(); const wire = new FakeWire()
  const A = node(time, wire, '10.0.0.1', { priority: 100 }, [{ name: 'script:a', weight: -20 }, { name: 'if:eth1', weight: 0 }])
  await A.inst.start()
  A.inst.setTrack('script:a', false)
  time.advance(5000); await settle()
  assert.equal(A.inst.state, 'MASTER')
  assert.equal(A.inst.status().effectivePriority, 80)
  // same tracks plus a new one: 'script:a' is still failing
  A.inst.reconfigure(instancePlan({ priority: 100 }), [{ name: 'script:a', weight: -20 }, { name: 'if:eth1', weight: 0 }, { name: 'script:b', weight: 10 }])
  assert.deepEqual(A.inst.status().failing, ['script:a'])
  assert.equal(A.inst.status().effectivePriority, 90)
  // 'script:a' gone: base priority plus b's bonus
  A.inst.reconfigure(instancePlan({ priority: 100 }), [{ name: 'script:b', weight: 10 }])
  assert.deepEqual(A.inst.status().failing, [])
  assert.equal(A.inst.status().effectivePriority, 110)
  assert.equal(A.inst.state, 'MASTER')
  // a failing weight-0 track that is dropped takes the instance out of FAULT
  A.inst.reconfigure(instancePlan({ priority: 100 }), [{ name: 'if:eth1', weight: 0 }])
  A.inst.setTrack('if:eth1', false)
  assert.equal(A.inst.state, 'FAULT')
  A.inst.reconfigure(instancePlan({ priority: 100 }), [])
  assert.equal(A.inst.state, 'BACKUP')
})

test('applyKeepalived: the services first, then the engine; an engine refusal puts the services back', async () => {
  const where1 = { file: 'k.conf', line: 1 }
  const planWith = (port: number): VrrpPlan => ({
    globals: { routerId: 'r', version: 3, scriptUser: null, niceness: 0, garp: instancePlan().garp },
    scripts: [], instances: [], syncGroups: [], files: [],
    virtualServers: [{ name: `10.0.0.1:${port}`, key: `v${port}`, addresses: [{ addr: '10.0.0.1', port }], protocol: 'tcp', algo: 'rr', kind: 'NAT', delayLoop: 1000, persistenceTimeout: 0, sorryServer: null, realServers: [], where: where1 }]
  })
  const current = planWith(80); const next = planWith(81)
  const applied: string[] = []
  const l4 = { reload: async (vs: readonly VirtualServerPlan[]) => { applied.push(`l4 ${vs.map(v => v.addresses[0]!.port).join(',')}`) } }
  await applyKeepalived(current, next, l4, async p => { applied.push(`vrrp ${p === next ? 'next' : 'other'}`) })
  assert.deepEqual(applied, ['l4 81', 'vrrp next'])
  applied.length = 0
  await assert.rejects(applyKeepalived(current, next, l4, async () => { throw new Error('interface eth9 has no IPv4 address') }), /eth9/)
  assert.deepEqual(applied, ['l4 81', 'l4 80'])
})

test('SyncGroup.dispose lets go of its members (a reload builds the groups again)', () => {
  const time = new FakeTime(); const wire = new FakeWire()
  const members = ['VI_1', 'VI_2'].map((name, i) => new VrrpInstance(instancePlan({ name, vrid: 60 + i }), [], { clock: time, timers: time, transport: wire.port(`10.0.0.${i + 1}`), vips: new FakeVips() }))
  const before = members.map(m => m.listenerCount('transition') + m.listenerCount('wantMaster'))
  const g = new SyncGroup({ name: 'G', members: ['VI_1', 'VI_2'], notify: instancePlan().notify, where }, members)
  assert.ok(members.every(m => m.holdMaster !== null))
  g.dispose()
  assert.ok(members.every(m => m.holdMaster === null))
  assert.deepEqual(members.map(m => m.listenerCount('transition') + m.listenerCount('wantMaster')), before)
})
