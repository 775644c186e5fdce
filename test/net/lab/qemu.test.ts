// `npm run lab -- up --qemu` end to end (root; needs `npm run image`): both lbs are the
// image booted under QEMU, wired into the lab's switch by their TAPs. The client is
// answered through the VIP; pulling the master's LAN cable (its VM sees the carrier go)
// and powering the master VM off both fail over to lb2; restore plugs the cable back / boots
// lb1 again and it takes the VIP back; `down` leaves no namespace, TAP, QEMU or state.
// Two VMs under TCG cost minutes of CPU: like `npm run image:test`, it runs only when
// asked, directly (scripts/test.mjs bounds a file to 180 s):
//   PLB_LAB_QEMU=1 node --import tsx --test test/net/lab/qemu.test.ts
// otherwise it is reported as skipped with that reason.
import { after, test } from 'node:test'
import assert from 'node:assert/strict'
import { existsSync } from 'node:fs'
import { loadState, type Service } from '../../../scripts/lab/services.ts'
import { clientGet, vipHolder } from '../../../scripts/lab/status.ts'
import { topology } from '../../../scripts/lab/topology.ts'
import { answeredBy, answeredWithin, labCommand, leftovers } from './run-lab.ts'

const PREFIX = `plq-${process.pid}`
const t = topology(PREFIX)
const lab = (...args: string[]): { code: number | null; out: string } => labCommand({ PLB_LAB_PREFIX: PREFIX }, 400_000, ...args)
const skip = process.env.PLB_LAB_QEMU === '1' ? false : 'boots two VMs (minutes of CPU): PLB_LAB_QEMU=1 node --import tsx --test test/net/lab/qemu.test.ts, after npm run image'

let services: Service[] = []
after(() => { if (!skip) lab('down') })

test('lab under QEMU: the VMs boot and serve the VIP', { skip, timeout: 420_000 }, async tt => {
  const t0 = performance.now()
  const upRun = lab('up', '--qemu')
  assert.equal(upRun.code, 0, upRun.out)
  tt.diagnostic(`both VMs booted, client answered through the VIP after ${((performance.now() - t0) / 1000).toFixed(0)} s`)
  assert.match(upRun.out, /lb1 +VM +10\.77\.0\.11, 10\.77\.1\.11/)
  services = loadState(PREFIX)!.services
  assert.deepEqual(services.map(s => s.name), ['lb1-vm', 'lb2-vm', 'web1', 'web2', 'web3'])
  // the VM booted first may hold the VIP a moment: lb1 takes it (priority 150, preemption)
  assert.ok(await answeredWithin(t, 'lb1', 60_000) >= 0, `lb1 never held the VIP\n${lab('status').out}`)
  assert.equal(vipHolder(t, true)?.name, 'lb1')
  assert.match(clientGet(t) ?? '', /^web[123]: GET \/ from 10\.77\.0\.10 via (::ffff:)?10\.77\.1\.11/)
})

test('lab under QEMU: the master\'s LAN cable pulled, the VM sees it (FAULT), lb2 answers; plugged back, lb1 again', { skip, timeout: 120_000 }, async tt => {
  const pulled = lab('fail', 'link')
  assert.equal(pulled.code, 0, pulled.out)
  assert.match(pulled.out, /^lb1's lan cable pulled/)
  const failover = await answeredWithin(t, 'lb2', 20_000)
  assert.ok(failover >= 0, `lb2 never answered through the VIP\n${lab('status').out}`)
  tt.diagnostic(`client answered by lb2 ${failover.toFixed(0)} ms after lb1's LAN cable was pulled`)
  assert.match(lab('status').out, /lb1-vm pid \d+ FAULT/)
  const restored = lab('restore')
  assert.equal(restored.code, 0, restored.out)
  assert.ok(await answeredWithin(t, 'lb1', 30_000) >= 0, `lb1 did not take the VIP back\n${lab('status').out}`)
})

test('lab under QEMU: master VM powered off, lb2 answers; restore boots lb1, it takes the VIP back', { skip, timeout: 300_000 }, async tt => {
  const failed = lab('fail', 'master')
  assert.equal(failed.code, 0, failed.out)
  const failover = await answeredWithin(t, 'lb2', 20_000)
  assert.ok(failover >= 0, `lb2 never answered through the VIP\n${lab('status').out}`)
  tt.diagnostic(`client answered by lb2 ${failover.toFixed(0)} ms after the master VM was killed (advert 1 s)`)
  for (let i = 0; i < 5; i++) assert.equal(answeredBy(clientGet(t)), 'lb2', `request ${i} after the failover`)
  assert.match(lab('status').out, /lb1 +VM +eth0 10\.77\.0\.11 cable OUT, eth1 10\.77\.1\.11 cable OUT; lb1-vm DEAD/)

  const restored = lab('restore')
  assert.equal(restored.code, 0, restored.out)
  assert.match(restored.out, /restarted lb1-vm/)
  const back = await answeredWithin(t, 'lb1', 240_000)
  assert.ok(back >= 0, `lb1 did not take the VIP back\n${lab('status').out}`)
  tt.diagnostic(`lb1 booted again and took the VIP back after ${(back / 1000).toFixed(0)} s`)
})

test('lab under QEMU: down leaves nothing', { skip, timeout: 60_000 }, () => {
  const last = loadState(PREFIX)!.services
  const downRun = lab('down')
  assert.equal(downRun.code, 0, downRun.out)
  const left = leftovers(PREFIX, [...services, ...last], /\bplv[0-9a-z]+\d[ls]\b/)
  assert.deepEqual(left.namespaces, [])
  assert.ok(!left.links, 'a TAP is left in the host namespace')
  assert.deepEqual(left.alive, [], 'lab processes still running')
  assert.equal(loadState(PREFIX), null)
  assert.ok(!existsSync(`/run/pocketlb-lab/${PREFIX}`))
})
