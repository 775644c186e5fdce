// Why each transition happened, as `show vrrp json` tells it (root only): the
// appliance (`pocketlb -f h.cfg --vrrp k.conf`, priority 150 with a vrrp_script of
// weight 0) beside a keepalived peer in network namespaces. It preempts the lower
// keepalived master, goes to FAULT when its script fails and comes back, yields
// to a keepalived of priority 200, and takes over when that one is killed.
import { after, before, test } from 'node:test'
import assert from 'node:assert/strict'
import { rmSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { applianceProxyCfg, Lan, runtime, sleep, until, vrrpConf, type Daemon } from './topo.ts'
import type { VrrpStatus, VrrpTransition } from '../../../src/vrrp/types.ts'

let lan: Lan
before(() => { lan = new Lan(2) })
after(async () => { await lan.destroy() })

test('show vrrp json names why: preempt, track failed/recovered, higher-priority peer, master down timer', async t => {
  const sock = join(lan.dir, 'plb-reasons.sock')
  const flag = join(lan.dir, 'chk-fails')
  const conf = vrrpConf({ prio: 150, version: 3, advert: '0.1' })
    .replace('vrrp_instance', `vrrp_script chk {\n  script "test ! -e ${flag}"\n  interval 0.2\n  fall 1\n  rise 1\n}\nvrrp_instance`)
    .replace('  virtual_ipaddress {', '  track_script {\n    chk\n  }\n  virtual_ipaddress {')
  let ka: Daemon = lan.start(2, 'keepalived', vrrpConf({ prio: 100, version: 3, advert: '0.1' }))
  assert.ok(await until(() => ka.state === 'MASTER', 8000), ka.lines.join('\n'))
  const plb = lan.startAppliance(1, applianceProxyCfg(sock, 1), conf)

  let seen: readonly VrrpTransition[] = []
  /** Waits until the newest transition in `show vrrp json` is <from> → <to>; returns its reason. */
  const next = async (from: string, to: string): Promise<VrrpTransition['reason']> => {
    const isIt = (): boolean => seen.at(-1)?.from === from && seen.at(-1)?.to === to
    for (const end = performance.now() + 8000; !isIt() && performance.now() < end; await sleep(50)) {
      const list = JSON.parse(await runtime(sock, 'show vrrp json').catch(() => '[]')) as VrrpStatus[]
      seen = list[0]?.recentTransitions ?? []
    }
    assert.ok(isIt(), `waiting for ${from} → ${to}: ${JSON.stringify(seen, null, 1)}\n${plb.lines.join('\n')}`)
    return seen.at(-1)!.reason
  }

  assert.deepEqual(await next('BACKUP', 'MASTER'),
    { code: 'preempted', text: 'preempted a lower-priority master 10.77.0.2 (prio 100 < ours 150)' })
  assert.deepEqual(seen.map(s => s.reason.code), ['start', 'preempted'])

  writeFileSync(flag, '')
  assert.deepEqual(await next('MASTER', 'FAULT'), { code: 'track-failed', text: 'tracked script chk failed' })
  assert.ok(plb.lines.some(l => l.includes('VRRP_Script(chk) failed (exited with status 1)')), plb.lines.join('\n'))
  assert.ok(plb.lines.some(l => l.includes('(VI_1) sent 0 priority')), plb.lines.join('\n'))
  assert.ok(await until(() => ka.state === 'MASTER', 3000), ka.lines.join('\n'))
  rmSync(flag)
  assert.deepEqual(await next('FAULT', 'BACKUP'), { code: 'track-recovered', text: 'tracked script chk recovered' })
  assert.ok(plb.lines.some(l => l.includes('VRRP_Script(chk) succeeded')), plb.lines.join('\n'))
  assert.equal((await next('BACKUP', 'MASTER')).code, 'preempted')

  // a peer of higher priority: pocketlb steps down and names it, with keepalived's log line
  await lan.terminate(ka)
  ka = lan.start(2, 'keepalived', vrrpConf({ prio: 200, version: 3, advert: '0.1' }))
  assert.deepEqual(await next('MASTER', 'BACKUP'),
    { code: 'higher-priority', text: 'higher-priority advert from 10.77.0.2 (prio 200 > ours 150)' })
  assert.ok(plb.lines.some(l => l.includes('(VI_1) Master received advert from 10.77.0.2 with higher priority 200, ours 150')), plb.lines.join('\n'))

  // the peer killed (no priority 0): the master down timer, 3 × 100 ms + skew (106/256 × 100 ms)
  await sleep(500)
  const t0 = performance.now()
  lan.crash(ka)
  assert.deepEqual(await next('BACKUP', 'MASTER'),
    { code: 'master-down', text: 'master down timer expired: no advert for 341 ms (3 × advert_int + skew)' })
  t.diagnostic(`master down after the keepalived peer was killed: ${(plb.masterAt - t0).toFixed(0)} ms`)
  assert.ok(plb.lines.some(l => l.includes('(VI_1) Receive advertisement timeout')), plb.lines.join('\n'))
  assert.deepEqual(seen.map(s => s.reason.code), ['start', 'preempted', 'track-failed', 'track-recovered', 'preempted', 'higher-priority', 'master-down'])
  await lan.terminate(plb)
})
