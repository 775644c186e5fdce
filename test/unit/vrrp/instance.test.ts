import { test } from 'node:test'
import assert from 'node:assert/strict'
import { VrrpInstance, type TrackSpec } from '../../../src/vrrp/instance.ts'
import type { VrrpInstancePlan } from '../../../src/vrrp/types.ts'
import { FakeTime, FakeVips, FakeWire } from './fakes.ts'
import { instancePlan } from './plan-of.ts'

interface Node { inst: VrrpInstance; vips: FakeVips }

function node (time: FakeTime, wire: FakeWire, addr: string, over: Partial<VrrpInstancePlan>, tracks: TrackSpec[] = [], peers: string[] = []): Node {
  const vips = new FakeVips()
  const inst = new VrrpInstance(instancePlan(over), tracks, { clock: time, timers: time, transport: wire.port(addr, peers), vips })
  return { inst, vips }
}
const settle = async (): Promise<void> => { for (let i = 0; i < 5; i++) await new Promise(resolve => setImmediate(resolve)) }

async function pair (a: Partial<VrrpInstancePlan>, b: Partial<VrrpInstancePlan>, tracks: TrackSpec[] = []): Promise<{ time: FakeTime; wire: FakeWire; A: Node; B: Node }> {
  const time = new FakeTime(); const wire = new FakeWire()
  const A = node(time, wire, '10.0.0.1', a, tracks); const B = node(time, wire, '10.0.0.2', b, tracks)
  await A.inst.start(); await B.inst.start()
  return { time, wire, A, B }
}

test('election by priority: the higher one becomes master once, the other stays backup', async () => {
  const { time, A, B } = await pair({ priority: 200 }, { priority: 100 })
  time.advance(3000 + 56 * 1000 / 256)                     // A's Master_Down_Interval
  await settle()
  assert.equal(A.inst.state, 'MASTER')
  assert.equal(B.inst.state, 'BACKUP')
  time.advance(20_000)
  await settle()
  assert.equal(A.inst.state, 'MASTER')
  assert.equal(B.inst.state, 'BACKUP')
  assert.deepEqual([...A.vips.up], ['10.0.0.100'])
  assert.equal(B.vips.up.size, 0)
  assert.equal(B.inst.status().masterIp, '10.0.0.1')
  assert.ok(A.vips.log.includes('garp 10.0.0.100 x5'))
  assert.equal(A.inst.status().counters.becameMaster, 1)
})

test('preempt: a higher-priority node joining later takes over; nopreempt keeps the master', async () => {
  for (const preempt of [true, false]) {
    const time = new FakeTime(); const wire = new FakeWire()
    const low = node(time, wire, '10.0.0.1', { priority: 100, preempt })
    await low.inst.start()
    time.advance(5000); await settle()
    assert.equal(low.inst.state, 'MASTER')
    const high = node(time, wire, '10.0.0.2', { priority: 200, preempt })
    await high.inst.start()
    time.advance(10_000); await settle()
    assert.equal(high.inst.state, preempt ? 'MASTER' : 'BACKUP', `preempt=${preempt}`)
    assert.equal(low.inst.state, preempt ? 'BACKUP' : 'MASTER', `preempt=${preempt}`)
  }
})

test('priority 0 on shutdown: the backup takes over after Skew_Time, not Master_Down_Interval', async () => {
  const { time, A, B } = await pair({ priority: 200 }, { priority: 100 })
  time.advance(5000); await settle()
  assert.equal(A.inst.state, 'MASTER')
  const t0 = time.now()
  let tookOver = -1
  B.inst.on('transition', tr => { if (tr.to === 'MASTER') tookOver = time.now() })
  await A.inst.stop()
  assert.equal(A.vips.up.size, 0)
  time.advance(1000); await settle()
  assert.equal(B.inst.state, 'MASTER')
  assert.equal(tookOver - t0, 156 * 1000 / 256)              // Skew_Time of priority 100
  assert.equal(A.inst.status().counters.priorityZeroSent, 1)
  assert.equal(B.inst.status().counters.priorityZeroReceived, 1)
})

test('crash failover: the backup takes over after Master_Down_Interval', async () => {
  const { time, wire, A, B } = await pair({ priority: 200, advertInt: 100 }, { priority: 100, advertInt: 100 })
  time.advance(1000); await settle()
  assert.equal(A.inst.state, 'MASTER')
  wire.ports[0]!.closed = true                             // A's adverts stop (crash)
  const t0 = time.now()
  let tookOver = -1
  B.inst.on('transition', tr => { if (tr.to === 'MASTER') tookOver = time.now() })
  time.advance(1000)
  assert.ok(tookOver > t0 && tookOver - t0 <= 300 + 156 * 100 / 256 + 1e-9, `took ${tookOver - t0} ms`)
})

test('equal priority: when both are master, the higher primary address wins (rfc5798 §6.4.3)', async () => {
  const { time, wire, A, B } = await pair({ priority: 100 }, { priority: 100 })
  wire.cut = true
  time.advance(5000); await settle()
  assert.equal(A.inst.state, 'MASTER'); assert.equal(B.inst.state, 'MASTER')
  wire.cut = false
  time.advance(10_000); await settle()
  assert.equal(B.inst.state, 'MASTER')
  assert.equal(A.inst.state, 'BACKUP')
})

test('split brain heals when the wire is restored', async () => {
  const { time, wire, A, B } = await pair({ priority: 200 }, { priority: 100 })
  wire.cut = true
  time.advance(5000); await settle()
  assert.equal(A.inst.state, 'MASTER'); assert.equal(B.inst.state, 'MASTER')
  wire.cut = false
  time.advance(2000); await settle()
  assert.equal(A.inst.state, 'MASTER'); assert.equal(B.inst.state, 'BACKUP')
  assert.equal(B.vips.up.size, 0)
})

test('tracking: negative weight lowers priority and hands over; weight 0 means Fault', async () => {
  const { time, A, B } = await pair({ priority: 150 }, { priority: 100 }, [{ name: 'proxy', weight: -60 }, { name: 'link', weight: 0 }])
  time.advance(5000); await settle()
  assert.equal(A.inst.state, 'MASTER')
  A.inst.setTrack('proxy', false)
  assert.equal(A.inst.status().effectivePriority, 90)
  time.advance(5000); await settle()
  assert.equal(B.inst.state, 'MASTER'); assert.equal(A.inst.state, 'BACKUP')
  A.inst.setTrack('proxy', true)
  time.advance(5000); await settle()
  assert.equal(A.inst.state, 'MASTER')
  A.inst.setTrack('link', false)
  assert.equal(A.inst.state, 'FAULT')
  assert.deepEqual(A.inst.status().failing, ['link'])
  time.advance(1000); await settle()
  assert.equal(B.inst.state, 'MASTER')
  A.inst.setTrack('link', true)
  assert.equal(A.inst.state, 'BACKUP')
})

test('unicast peers: adverts go to each peer only', async () => {
  const time = new FakeTime(); const wire = new FakeWire()
  const A = node(time, wire, '10.0.0.1', { priority: 200 }, [], ['10.0.0.2'])
  const B = node(time, wire, '10.0.0.2', { priority: 100 }, [], ['10.0.0.1'])
  await A.inst.start(); await B.inst.start()
  time.advance(5000); await settle()
  assert.equal(A.inst.state, 'MASTER'); assert.equal(B.inst.state, 'BACKUP')
  assert.ok(wire.sent.length > 0 && wire.sent.every(s => s.dst === '10.0.0.2' || s.dst === '10.0.0.1'))
})

test('packets with TTL other than 255 are dropped and counted', async () => {
  const { time, wire, A, B } = await pair({ priority: 200 }, { priority: 100 })
  wire.ttl = 64
  time.advance(5000); await settle()
  assert.equal(A.inst.state, 'MASTER'); assert.equal(B.inst.state, 'MASTER')
  assert.ok((B.inst.status().counters.dropped['ttl'] ?? 0) > 0)
})
