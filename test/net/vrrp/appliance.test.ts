// The appliance in namespaces (root only): `pocketlb -f haproxy.cfg --vrrp keepalived.conf`
// beside a keepalived peer. track_pocketlb { backend app } follows the real Engine: every
// server of the master's backend in maintenance → its priority drops and the peer takes
// the VIP; `show vrrp` on the stats socket reports it; SIGTERM hands the VIP over at once.
import { after, before, test } from 'node:test'
import assert from 'node:assert/strict'
import { join } from 'node:path'
import { applianceProxyCfg, Lan, runtime, until, vrrpConf } from './topo.ts'

const VIP = '10.77.0.100'
let lan: Lan
before(() => { lan = new Lan(2) })
after(async () => { await lan.destroy() })

test('backend without a usable server: the keepalived peer takes over; back in service: preempts back', async t => {
  const sock = join(lan.dir, 'plb1.sock')
  const track = '  track_pocketlb {\n    listeners\n    backend app weight -100\n  }\n'
  const plb = lan.startAppliance(1, applianceProxyCfg(sock, 2), vrrpConf({ prio: 150, version: 3, advert: '0.1' }).replace('  virtual_ipaddress {', `${track}  virtual_ipaddress {`))
  const ka = lan.start(2, 'keepalived', vrrpConf({ prio: 100, version: 3, advert: '0.1' }))
  assert.ok(await until(() => plb.state === 'MASTER' && ka.state === 'BACKUP', 10_000), `plb=${plb.state} ka=${ka.state}\n${plb.lines.join('\n')}`)
  assert.ok(await until(() => lan.hasVip(1, VIP), 2000))

  const shown = await runtime(sock, 'show vrrp')
  const [header, line] = shown.trim().split('\n')
  assert.match(header!, /^# name state vrid version interface base_prio eff_prio vips master_ip/)
  assert.match(line!, /^VI_1 MASTER 77 v3 eth0 150 150 10\.77\.0\.100\/24 10\.77\.0\.1 150 \d+ \d+ \d+ \d+ (\d+) \S+ \S+ -$/)
  const transitionsBefore = Number(/ (\d+) \S+ \S+ -$/.exec(line!)![1])

  // one server down is not enough; both in maintenance leave the backend empty
  await runtime(sock, 'set server app/s1 state maint')
  await new Promise(resolve => setTimeout(resolve, 400))
  assert.equal(plb.state, 'MASTER')
  const t0 = performance.now()
  await runtime(sock, 'set server app/s2 state maint')
  assert.ok(await until(() => ka.state === 'MASTER' && plb.state === 'BACKUP', 3000), `plb=${plb.state} ka=${ka.state}\n${plb.lines.join('\n')}`)
  t.diagnostic(`takeover after the last server of 'app' went to maintenance: ${(ka.masterAt - t0).toFixed(0)} ms`)
  assert.ok(await until(() => lan.hasVip(2, VIP) && !lan.hasVip(1, VIP), 2000))
  assert.ok(plb.lines.some(l => /track pocketlb:backend\/app is now FAILED/.test(l)), plb.lines.join('\n'))

  const json = JSON.parse(await runtime(sock, 'show vrrp json')) as { state: string; effectivePriority: number; failing: string[]; masterIp: string; counters: { transitions: number } }[]
  // the status is refreshed on every transition: BACKUP with priority 50, the failing track named
  assert.equal(json.length, 1)
  assert.deepEqual([json[0]!.state, json[0]!.effectivePriority, json[0]!.failing], ['BACKUP', 50, ['pocketlb:backend/app']])
  assert.equal(json[0]!.counters.transitions, transitionsBefore + 1)

  await runtime(sock, 'set server app/s1 state ready')
  assert.ok(await until(() => plb.state === 'MASTER' && ka.state === 'BACKUP', 3000), `plb=${plb.state} ka=${ka.state}`)
  assert.ok(await until(() => lan.hasVip(1, VIP) && !lan.hasVip(2, VIP), 2000))

  // SIGTERM: VRRP resigns (priority 0) before the proxy drains, so the peer takes over at once
  const t1 = performance.now()
  plb.proc.kill('SIGTERM')
  assert.ok(await until(() => ka.state === 'MASTER', 2000), ka.lines.join('\n'))
  const handover = ka.masterAt - t1
  t.diagnostic(`handover on SIGTERM of the appliance: ${handover.toFixed(0)} ms`)
  assert.ok(handover <= 700, `handover took ${handover} ms`)
  assert.ok(await until(() => plb.proc.exitCode !== null, 5000), 'appliance did not exit')
  assert.equal(plb.proc.exitCode, 0)
  assert.ok(!lan.hasVip(1, VIP))
})
