// pocketlb ↔ pocketlb in namespaces (root only): VRRPv3 multicast at advert_int 0.1,
// election, crash failover, preempt on return, priority-0 handover, VIP answers ARP.
import { after, before, test } from 'node:test'
import assert from 'node:assert/strict'
import { Lan, until, vrrpConf, sleep } from './topo.ts'

const VIP = '10.77.0.100'
let lan: Lan
before(() => { lan = new Lan(3) })
after(async () => { await lan.destroy() })

test('pocketlb pair, v3 multicast, advert 0.1 s', async t => {
  const a = lan.start(1, 'pocketlb', vrrpConf({ prio: 200, version: 3, advert: '0.1' }))
  const b = lan.start(2, 'pocketlb', vrrpConf({ prio: 100, version: 3, advert: '0.1' }))
  assert.ok(await until(() => a.state === 'MASTER' && b.state === 'BACKUP', 8000), `a=${a.state} b=${b.state}\n${a.lines.join('\n')}`)
  lan.setNeighbour(3, VIP, lan.mac(1))
  await sleep(1200)                                         // past the kernel's ARP locktime (1 s)
  assert.equal(a.state, 'MASTER'); assert.equal(b.state, 'BACKUP')
  assert.ok(lan.hasVip(1, VIP)); assert.ok(!lan.hasVip(2, VIP))
  assert.equal(lan.arpAnswer(3, VIP), lan.mac(1))

  // crash of the master: the backup takes over after Master_Down_Interval (0.3 + 0.061 s)
  const t0 = performance.now()
  lan.crash(a)
  assert.ok(await until(() => b.state === 'MASTER', 3000), b.lines.join('\n'))
  const failover = b.masterAt - t0
  t.diagnostic(`crash failover pocketlb→pocketlb (v3, advert 0.1 s): ${failover.toFixed(0)} ms`)
  assert.ok(failover <= 1000, `failover took ${failover} ms`)
  assert.ok(await until(() => lan.neighbour(3, VIP) === lan.mac(2), 2000), `client still has ${lan.neighbour(3, VIP)} for the VIP after gratuitous ARP`)
  lan.link(1, false)                                       // the dead box still holds the VIP: take it off the LAN
  assert.equal(lan.arpAnswer(3, VIP), lan.mac(2))
  lan.link(1, true)

  // the higher priority node returns and preempts
  const a2 = lan.start(1, 'pocketlb', vrrpConf({ prio: 200, version: 3, advert: '0.1' }))
  assert.ok(await until(() => a2.state === 'MASTER' && b.state === 'BACKUP', 5000), `a2=${a2.state} b=${b.state}`)
  assert.ok(await until(() => lan.hasVip(1, VIP) && !lan.hasVip(2, VIP), 2000))

  // graceful stop: priority 0 makes the backup take over after Skew_Time
  const t1 = performance.now()
  await lan.terminate(a2)
  assert.ok(await until(() => b.state === 'MASTER', 2000))
  const handover = b.masterAt - t1
  t.diagnostic(`priority-0 handover pocketlb→pocketlb: ${handover.toFixed(0)} ms`)
  assert.ok(handover <= 700, `handover took ${handover} ms`)
  assert.ok(!lan.hasVip(1, VIP))
})
