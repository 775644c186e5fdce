import { test } from 'node:test'
import assert from 'node:assert/strict'
import { VrrpInstance, type TrackSpec } from '../../../src/vrrp/instance.ts'
import { SyncGroup, syncTrack } from '../../../src/vrrp/sync-group.ts'
import type { VrrpInstancePlan, VrrpStateName } from '../../../src/vrrp/types.ts'
import { FakeTime, FakeVips, FakeWire } from './fakes.ts'
import { instancePlan } from './plan-of.ts'

const settle = async (): Promise<void> => { for (let i = 0; i < 5; i++) await new Promise(resolve => setImmediate(resolve)) }
const where = { file: 'test', line: 1 }

/** One router at <addr> on <wire> with instances <plans>; <group> puts them all in sync group G. */
class Router {
  readonly vips = new FakeVips()
  readonly instances: VrrpInstance[]
  readonly group: SyncGroup | null
  readonly log: string[] = []
  constructor (time: FakeTime, wire: FakeWire, addr: string, plans: Partial<VrrpInstancePlan>[], group: boolean, tracks: TrackSpec[] = []) {
    this.instances = plans.map(p => new VrrpInstance(instancePlan({
      ...p, vips: [{ addr: `10.0.${p.vrid}.100`, prefixLen: 24, dev: 'eth0', label: null, where }]
    }), [...tracks, ...(group ? [{ name: syncTrack('G'), weight: 0 }] : [])], { clock: time, timers: time, transport: wire.port(addr), vips: this.vips }))
    this.group = group ? new SyncGroup({ name: 'G', members: plans.map(p => p.name!), notify: { master: null, backup: null, fault: null, stop: null, any: null }, where }, this.instances, m => this.log.push(m)) : null
  }

  async start (): Promise<void> { for (const i of this.instances) await i.start() }
  states (): VrrpStateName[] { return this.instances.map(i => i.state) }
}

const pairPlans = (p1: number, p2: number): Partial<VrrpInstancePlan>[] => [{ name: 'VI_1', vrid: 1, priority: p1 }, { name: 'VI_2', vrid: 2, priority: p2 }]

test('members become master together, never split between two routers', async () => {
  const time = new FakeTime(); const wire = new FakeWire()
  // without a group, A would win VI_1 and B VI_2
  const A = new Router(time, wire, '10.0.0.1', pairPlans(200, 100), true)
  const B = new Router(time, wire, '10.0.0.2', pairPlans(100, 200), true)
  await A.start(); await B.start()
  for (let t = 0; t < 40; t++) {
    time.advance(500); await settle()
    const masters = [A, B].filter(r => r.states().includes('MASTER'))
    assert.ok(masters.length <= 1, `split at ${time.now()} ms: A=${A.states()} B=${B.states()}`)
  }
  const [winner, loser] = A.states()[0] === 'MASTER' ? [A, B] : [B, A]
  assert.deepEqual(winner.states(), ['MASTER', 'MASTER'])
  assert.deepEqual(loser.states(), ['BACKUP', 'BACKUP'])
  assert.deepEqual([...winner.vips.up].sort(), ['10.0.1.100', '10.0.2.100'])
  assert.equal(loser.vips.up.size, 0)
  assert.ok(winner.log.includes('VRRP_Group(G) Syncing instances to MASTER state'), winner.log.join('\n'))
})

test('alone, the held-back member joins: both masters at the same Master_Down expiry', async () => {
  const time = new FakeTime(); const wire = new FakeWire()
  const A = new Router(time, wire, '10.0.0.1', pairPlans(200, 100), true)
  await A.start()
  time.advance(3000 + 56 * 1000 / 256); await settle()      // VI_1's Master_Down_Interval: held, VI_2 not ready
  assert.deepEqual(A.states(), ['BACKUP', 'BACKUP'])
  assert.equal(A.instances[0]!.wantsMaster, true)
  time.advance(156 * 1000 / 256 - 56 * 1000 / 256); await settle()   // VI_2's: now everyone wants
  assert.deepEqual(A.states(), ['MASTER', 'MASTER'])
  assert.deepEqual(A.instances.map(i => i.status().counters.becameMaster), [1, 1])
})

test('one member falls back to Backup: the other master follows it (and returns with it)', async () => {
  const time = new FakeTime(); const wire = new FakeWire()
  const A = new Router(time, wire, '10.0.0.1', pairPlans(150, 150), true)
  await A.start()
  time.advance(5000); await settle()
  assert.deepEqual(A.states(), ['MASTER', 'MASTER'])
  // a router outside the group with a higher priority for VI_1 only
  const C = new Router(time, wire, '10.0.0.3', [{ name: 'VI_1', vrid: 1, priority: 250 }], false)
  await C.start()
  time.advance(5000); await settle()
  assert.deepEqual(C.states(), ['MASTER'])
  assert.deepEqual(A.states(), ['BACKUP', 'BACKUP'], 'VI_2 followed VI_1 to Backup')
  assert.equal(A.vips.up.size, 0)
  assert.ok(A.log.includes('VRRP_Group(G) Syncing instances to BACKUP state'), A.log.join('\n'))
  time.advance(10_000); await settle()
  assert.deepEqual(A.states(), ['BACKUP', 'BACKUP'], 'VI_2 is held back while VI_1 hears its master')
  await C.instances[0]!.stop()                                // priority 0: VI_1 wants master after Skew_Time
  time.advance(1000); await settle()
  assert.deepEqual(A.states(), ['MASTER', 'MASTER'])
})

test('one member in Fault puts the whole group in Fault', async () => {
  const time = new FakeTime(); const wire = new FakeWire()
  const A = new Router(time, wire, '10.0.0.1', pairPlans(150, 150), true, [{ name: 'if:eth1', weight: 0 }])
  await A.start()
  time.advance(5000); await settle()
  assert.deepEqual(A.states(), ['MASTER', 'MASTER'])
  A.instances[0]!.setTrack('if:eth1', false)
  A.group!.updateFault()
  assert.deepEqual(A.states(), ['FAULT', 'FAULT'])
  A.instances[0]!.setTrack('if:eth1', true)
  A.group!.updateFault()
  time.advance(5000); await settle()
  assert.deepEqual(A.states(), ['MASTER', 'MASTER'])
})
