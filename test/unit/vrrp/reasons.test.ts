// Why each transition happened: the reason every cause gives (code and
// sentence, in the transition event and in status().recentTransitions), and
// keepalived's log line for the cause before its "Entering … STATE" line.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { VrrpInstance, type TrackSpec } from '../../../src/vrrp/instance.ts'
import { RECENT_TRANSITIONS, SIMULATED_FAILURE_TRACK, type VrrpInstancePlan, type VrrpTransition } from '../../../src/vrrp/types.ts'
import { reasons } from '../../../src/vrrp/reason.ts'
import { FakeTime, FakeVips, FakeWire } from './fakes.ts'
import { instancePlan } from './plan-of.ts'

interface Node { readonly inst: VrrpInstance; readonly seen: VrrpTransition[]; readonly logs: string[] }

function node (time: FakeTime, wire: FakeWire, addr: string, over: Partial<VrrpInstancePlan>, tracks: TrackSpec[] = []): Node {
  const logs: string[] = []
  const inst = new VrrpInstance(instancePlan(over), tracks, { clock: time, timers: time, transport: wire.port(addr), vips: new FakeVips(), log: m => logs.push(m) })
  const seen: VrrpTransition[] = []
  inst.on('transition', tr => seen.push(tr))
  return { inst, seen, logs }
}
const settle = async (): Promise<void> => { for (let i = 0; i < 5; i++) await new Promise(resolve => setImmediate(resolve)) }
/** "FROM→TO code: sentence" of the last transition <n> made */
const last = (n: Node): string => {
  const t = n.seen.at(-1)!
  return `${t.from}→${t.to} ${t.reason.code}: ${t.reason.text}`
}
/** Index of the first log line containing <text>, -1 when none */
const logAt = (n: Node, text: string): number => n.logs.findIndex(l => l.includes(text))

test('start, then master down timer: no advert for 3 × advert_int + skew', async () => {
  const time = new FakeTime(); const wire = new FakeWire()
  const a = node(time, wire, '10.0.0.1', { priority: 100 })
  await a.inst.start()
  assert.equal(last(a), "INIT→BACKUP start: instance started: waiting for a master's advert")
  time.advance(4000); await settle()
  // Master_Down_Interval at priority 100, advert_int 1 s: 3000 + 156 × 1000 / 256 = 3609.375 ms
  assert.equal(last(a), 'BACKUP→MASTER master-down: master down timer expired: no advert for 3609 ms (3 × advert_int + skew)')
  const timeout = logAt(a, '(VI_1) Receive advertisement timeout')
  assert.ok(timeout >= 0 && timeout < logAt(a, 'Entering MASTER STATE'), a.logs.join('\n'))
})

test('the address owner (255) is master at once', async () => {
  const time = new FakeTime(); const wire = new FakeWire()
  const a = node(time, wire, '10.0.0.1', { priority: 255 })
  await a.inst.start()
  assert.equal(last(a), 'INIT→MASTER owner: address owner (priority 255): master at once')
})

test('preempt: the joining higher node names the lower master it preempted; the old master names the higher advert', async () => {
  const time = new FakeTime(); const wire = new FakeWire()
  const low = node(time, wire, '10.0.0.1', { priority: 100 })
  await low.inst.start()
  time.advance(5000); await settle()
  const high = node(time, wire, '10.0.0.2', { priority: 200 })
  await high.inst.start()
  time.advance(10_000); await settle()
  assert.equal(last(high), 'BACKUP→MASTER preempted: preempted a lower-priority master 10.0.0.1 (prio 100 < ours 200)')
  assert.equal(last(low), 'MASTER→BACKUP higher-priority: higher-priority advert from 10.0.0.2 (prio 200 > ours 100)')
  const line = logAt(low, '(VI_1) Master received advert from 10.0.0.2 with higher priority 200, ours 100')
  assert.ok(line >= 0 && line < low.logs.lastIndexOf('(VI_1) Entering BACKUP STATE'), low.logs.join('\n'))
})

test('equal priority: the higher address wins and says so', async () => {
  const time = new FakeTime(); const wire = new FakeWire()
  const a = node(time, wire, '10.0.0.1', { priority: 100 })
  const b = node(time, wire, '10.0.0.3', { priority: 100 })
  wire.cut = true                             // a partition: both become master
  await a.inst.start(); await b.inst.start()
  time.advance(5000); await settle()
  assert.deepEqual([a.inst.state, b.inst.state], ['MASTER', 'MASTER'])
  wire.cut = false                            // it heals: the higher address keeps the role
  time.advance(2000); await settle()
  assert.equal(b.inst.state, 'MASTER')
  assert.equal(last(a), 'MASTER→BACKUP higher-priority: advert from 10.0.0.3 at our priority 100 and a higher address')
  assert.ok(a.logs.includes('(VI_1) Master received advert from 10.0.0.3 with same priority 100 but higher IP address than ours'), a.logs.join('\n'))
})

test('resign: stop sends priority 0, the backup names the master that resigned', async () => {
  const time = new FakeTime(); const wire = new FakeWire()
  const a = node(time, wire, '10.0.0.1', { priority: 200 })
  const b = node(time, wire, '10.0.0.2', { priority: 100 })
  await a.inst.start(); await b.inst.start()
  time.advance(5000); await settle()
  await a.inst.stop()
  assert.equal(last(a), 'MASTER→INIT stop: VRRP stopped (shutdown)')
  assert.ok(a.logs.includes('(VI_1) sent 0 priority'), a.logs.join('\n'))
  assert.ok(b.logs.includes('(VI_1) Backup received priority 0 advertisement'), b.logs.join('\n'))
  time.advance(1000); await settle()
  // Skew_Time at priority 100: 156 × 1000 / 256 = 609.375 ms
  assert.equal(last(b), 'BACKUP→MASTER master-resigned: priority-0 advert from the master 10.0.0.1: it resigned; took over after the skew time (609 ms)')
})

test('a reload that removes the instance says so', async () => {
  const time = new FakeTime(); const wire = new FakeWire()
  const a = node(time, wire, '10.0.0.1', { priority: 100 })
  await a.inst.start()
  await a.inst.stop(reasons.removed())
  assert.equal(last(a), 'BACKUP→INIT removed: reload removed the instance')
})

test('tracks: each kind named when it fails and when it recovers; the simulated failure as the demo switch', async () => {
  const cases: [string, string, string][] = [
    ['script:chk_haproxy', 'track-failed: tracked script chk_haproxy failed', 'track-recovered: tracked script chk_haproxy recovered'],
    ['if:eth1', 'track-failed: tracked interface eth1 is down', 'track-recovered: tracked interface eth1 is up again'],
    ['sync:G1', 'track-failed: sync group G1: another member is in FAULT', 'track-recovered: sync group G1: no member in FAULT any more'],
    ['pocketlb:backend/app', 'track-failed: tracked pocketlb condition backend/app failed', 'track-recovered: tracked pocketlb condition backend/app recovered'],
    [`pocketlb:${SIMULATED_FAILURE_TRACK}`, 'simulated-on: simulated failure switched on (demo)', 'simulated-off: simulated failure switched off']
  ]
  for (const [track, failed, recovered] of cases) {
    const time = new FakeTime(); const wire = new FakeWire()
    const a = node(time, wire, '10.0.0.1', { priority: 100 }, [{ name: track, weight: 0 }])
    await a.inst.start()
    time.advance(5000); await settle()
    a.inst.setTrack(track, false)
    assert.equal(last(a), `MASTER→FAULT ${failed}`)
    a.inst.setTrack(track, true)
    assert.equal(last(a), `FAULT→BACKUP ${recovered}`)
  }
})

test('a track already failed at start puts the instance in FAULT naming it', async () => {
  const time = new FakeTime(); const wire = new FakeWire()
  const a = node(time, wire, '10.0.0.1', { priority: 100 }, [{ name: 'script:chk', weight: 0 }])
  a.inst.setTrack('script:chk', false)
  await a.inst.start()
  assert.equal(last(a), 'INIT→FAULT track-failed: tracked script chk failed')
})

test('sync group: a member following another says so', async () => {
  const time = new FakeTime(); const wire = new FakeWire()
  const a = node(time, wire, '10.0.0.1', { priority: 100 })
  await a.inst.start()
  a.inst.follow('MASTER')
  assert.equal(last(a), 'BACKUP→MASTER sync-group: sync group: another member went MASTER, this one follows')
  a.inst.follow('BACKUP')
  assert.equal(last(a), 'MASTER→BACKUP sync-group: sync group: another member went BACKUP, this one follows')
})

test('status keeps the last transitions with their reasons, bounded', async () => {
  const time = new FakeTime(); const wire = new FakeWire()
  const a = node(time, wire, '10.0.0.1', { priority: 100 }, [{ name: 'script:chk', weight: 0 }])
  await a.inst.start()
  for (let i = 0; i < RECENT_TRANSITIONS; i++) { a.inst.setTrack('script:chk', false); a.inst.setTrack('script:chk', true) }
  const recent = a.inst.status().recentTransitions
  assert.equal(recent.length, RECENT_TRANSITIONS)
  assert.deepEqual(recent, a.seen.slice(-RECENT_TRANSITIONS))
  assert.deepEqual(recent.at(-1)!.reason, { code: 'track-recovered', text: 'tracked script chk recovered' })
})

test('a track given as failing (a condition fed before a reload added it) holds the instance in FAULT from its start, named', async () => {
  const time = new FakeTime(); const wire = new FakeWire()
  const simulated = `pocketlb:${SIMULATED_FAILURE_TRACK}`
  const a = node(time, wire, '10.0.0.1', { priority: 100 }, [{ name: simulated, weight: 0, ok: false }])
  await a.inst.start()
  assert.equal(last(a), 'INIT→FAULT simulated-on: simulated failure switched on (demo)')
  time.advance(5000); await settle()
  assert.equal(a.inst.state, 'FAULT')
  // a reload keeps a track's own state over the one given
  a.inst.reconfigure(a.inst.plan, [{ name: simulated, weight: 0, ok: true }])
  assert.equal(a.inst.state, 'FAULT')
  // a reload adding a failing track to a master: FAULT, named
  const b = node(time, wire, '10.0.0.2', { priority: 100 })
  await b.inst.start()
  time.advance(5000); await settle()
  b.inst.reconfigure(b.inst.plan, [{ name: 'pocketlb:backend/app', weight: 0, ok: false }])
  assert.equal(last(b), 'MASTER→FAULT track-failed: tracked pocketlb condition backend/app failed')
})
