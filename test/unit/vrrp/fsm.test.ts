import { test } from 'node:test'
import assert from 'node:assert/strict'
import { initialState, masterDownInterval, skewTime, step, type FsmConfig, type FsmState, type VrrpEffect, type VrrpEvent } from '../../../src/vrrp/fsm.ts'
import { reasons } from '../../../src/vrrp/reason.ts'

const failed = reasons.track('script:chk', false)
const recovered = reasons.track('script:chk', true)
const v3: FsmConfig = { version: 3, adverInt: 1000, preempt: true, preemptDelay: 0, primaryIp: '10.0.0.2' }
const at = (cfg: FsmConfig, state: FsmState['state'], prio = 100, over: Partial<FsmState> = {}): FsmState =>
  ({ ...initialState(cfg, prio), state, ...over })
const kinds = (effs: VrrpEffect[]): string[] => effs.map(e => e.t === 'arm' || e.t === 'cancel' ? `${e.t}:${e.timer}` : e.t === 'sendAdvert' ? `send:${e.prio}` : e.t === 'transition' ? `->${e.to}` : e.t)
const advert = (from: string, prio: number, adverInt = 1000): VrrpEvent => ({ t: 'advert', from, prio, adverInt })

test('timers: Skew_Time and Master_Down_Interval per version', () => {
  // v3 rfc5798 §6.1: skew = (256-prio)*MAI/256; v2 rfc3768: (256-prio)/256 s
  assert.equal(skewTime(v3, 100, 1000), 156 * 1000 / 256)
  assert.equal(masterDownInterval(v3, 100, 1000), 3000 + 609.375)
  assert.equal(masterDownInterval(v3, 200, 100), 300 + 56 * 100 / 256)
  const v2 = { ...v3, version: 2 as const }
  assert.equal(skewTime(v2, 100, 3000), 156 * 1000 / 256)
  assert.equal(masterDownInterval(v2, 254, 3000), 9000 + 2 * 1000 / 256)
})

// [name, config, state, priority, extra state, event, expected next state, expected effect kinds]
const table: [string, FsmConfig, FsmState['state'], number, Partial<FsmState>, VrrpEvent, FsmState['state'], string[]][] = [
  ['init start → backup', v3, 'INIT', 100, {}, { t: 'start' }, 'BACKUP', ['cancel:adver', 'arm:masterDown', '->BACKUP']],
  ['owner 255 start → master', v3, 'INIT', 255, {}, { t: 'start' }, 'MASTER', ['cancel:masterDown', 'send:255', 'addVips', 'garp', 'arm:adver', '->MASTER']],
  ['init fault', v3, 'INIT', 100, {}, { t: 'fault', why: failed }, 'FAULT', ['->FAULT']],
  ['backup master-down → master', v3, 'BACKUP', 100, {}, { t: 'masterDownTimeout' }, 'MASTER', ['cancel:masterDown', 'send:100', 'addVips', 'garp', 'arm:adver', '->MASTER']],
  ['backup higher advert resets timer', v3, 'BACKUP', 100, {}, advert('10.0.0.1', 150), 'BACKUP', ['arm:masterDown']],
  ['backup equal advert resets timer', v3, 'BACKUP', 100, {}, advert('10.0.0.1', 100), 'BACKUP', ['arm:masterDown']],
  ['backup lower advert with preempt ignored', v3, 'BACKUP', 100, {}, advert('10.0.0.1', 50), 'BACKUP', []],
  ['backup lower advert with nopreempt accepted', { ...v3, preempt: false }, 'BACKUP', 100, {}, advert('10.0.0.1', 50), 'BACKUP', ['arm:masterDown']],
  ['backup lower advert inside preempt_delay accepted', { ...v3, preemptDelay: 5000 }, 'BACKUP', 100, { preemptAt: 5000 }, advert('10.0.0.1', 50), 'BACKUP', ['arm:masterDown']],
  ['backup prio 0 → skew timer', v3, 'BACKUP', 100, {}, advert('10.0.0.1', 0), 'BACKUP', ['arm:masterDown']],
  ['backup fault', v3, 'BACKUP', 100, {}, { t: 'fault', why: failed }, 'FAULT', ['cancel:adver', 'cancel:masterDown', '->FAULT']],
  ['backup shutdown', v3, 'BACKUP', 100, {}, { t: 'shutdown', why: reasons.stop() }, 'INIT', ['cancel:adver', 'cancel:masterDown', '->INIT']],
  ['master adver timer', v3, 'MASTER', 100, {}, { t: 'adverTimeout' }, 'MASTER', ['send:100', 'arm:adver']],
  ['master sees higher → backup', v3, 'MASTER', 100, {}, advert('10.0.0.1', 150), 'BACKUP', ['cancel:adver', 'delVips', 'arm:masterDown', '->BACKUP']],
  ['master sees lower → stays', v3, 'MASTER', 100, {}, advert('10.0.0.9', 50), 'MASTER', []],
  ['master equal prio, higher IP wins', v3, 'MASTER', 100, {}, advert('10.0.0.3', 100), 'BACKUP', ['cancel:adver', 'delVips', 'arm:masterDown', '->BACKUP']],
  ['master equal prio, lower IP loses', v3, 'MASTER', 100, {}, advert('10.0.0.1', 100), 'MASTER', []],
  ['master sees prio 0 → advert now', v3, 'MASTER', 100, {}, advert('10.0.0.1', 0), 'MASTER', ['send:100', 'arm:adver']],
  ['master shutdown → prio 0', v3, 'MASTER', 100, {}, { t: 'shutdown', why: reasons.stop() }, 'INIT', ['cancel:adver', 'cancel:masterDown', 'send:0', 'delVips', '->INIT']],
  ['master fault → prio 0', v3, 'MASTER', 100, {}, { t: 'fault', why: failed }, 'FAULT', ['cancel:adver', 'cancel:masterDown', 'send:0', 'delVips', '->FAULT']],
  ['master priority change adverts it', v3, 'MASTER', 100, {}, { t: 'priority', prio: 80 }, 'MASTER', ['send:80', 'arm:adver']],
  ['fault cleared → backup', v3, 'FAULT', 100, {}, { t: 'faultCleared', why: recovered }, 'BACKUP', ['cancel:adver', 'arm:masterDown', '->BACKUP']],
  ['fault ignores adverts', v3, 'FAULT', 100, {}, advert('10.0.0.1', 150), 'FAULT', []]
]

for (const [name, cfg, state, prio, over, ev, want, effs] of table) {
  test(`fsm: ${name}`, () => {
    const [next, eff] = step(at(cfg, state, prio, over), ev, 1000)
    assert.equal(next.state, want)
    assert.deepEqual(kinds(eff), effs)
  })
}

test('backup learns Master_Adver_Interval in v3 only', () => {
  const [n3, e3] = step(at(v3, 'BACKUP'), advert('10.0.0.1', 200, 100), 0)
  assert.equal(n3.masterAdverInt, 100)
  assert.deepEqual(e3, [{ t: 'arm', timer: 'masterDown', ms: 300 + 156 * 100 / 256 }])
  const v2 = { ...v3, version: 2 as const }
  const [n2] = step(at(v2, 'BACKUP'), advert('10.0.0.1', 200, 3000), 0)
  assert.equal(n2.masterAdverInt, 1000)
})

test('priority 0 advert: backup takes over after Skew_Time only', () => {
  const [, eff] = step(at(v3, 'BACKUP', 200), advert('10.0.0.1', 0), 0)
  assert.deepEqual(eff, [{ t: 'arm', timer: 'masterDown', ms: 56 * 1000 / 256 }])
})

test('preempt_delay: lower master tolerated until the deadline, then ignored', () => {
  const cfg = { ...v3, preemptDelay: 4000 }
  const [b] = step(at(cfg, 'INIT'), { t: 'start' }, 10_000)
  assert.equal(b.preemptAt, 14_000)
  assert.equal(step(b, advert('10.0.0.1', 50), 13_999)[1].length, 1)
  assert.equal(step(b, advert('10.0.0.1', 50), 14_000)[1].length, 0)
})

test('master records itself as master; backup records the advertiser', () => {
  const [m] = step(at(v3, 'BACKUP'), { t: 'masterDownTimeout' }, 0)
  assert.equal(m.masterIp, '10.0.0.2')
  const [b] = step(at(v3, 'BACKUP'), advert('10.0.0.7', 120), 0)
  assert.equal(b.masterIp, '10.0.0.7')
  assert.equal(b.masterPriority, 120)
})

test('each transition carries its cause', () => {
  /** The reason code of the transition <ev> makes from <st>, or null when none */
  const cause = (st: FsmState, ev: VrrpEvent): string | null => {
    const tr = step(st, ev, 1000)[1].find(e => e.t === 'transition')
    return tr?.t === 'transition' ? tr.reason.code : null
  }
  /** <st> after the adverts <ads> (at t=1000) */
  const heard = (st: FsmState, ...ads: VrrpEvent[]): FsmState => ads.reduce((s, ev) => step(s, ev, 1000)[0], st)
  const down: VrrpEvent = { t: 'masterDownTimeout' }
  const backup = at(v3, 'BACKUP')
  assert.equal(cause(at(v3, 'INIT'), { t: 'start' }), 'start')
  assert.equal(cause(at(v3, 'INIT', 255), { t: 'start' }), 'owner')
  assert.equal(cause(at(v3, 'INIT'), { t: 'fault', why: failed }), 'track-failed')
  assert.equal(cause(backup, down), 'master-down')
  assert.equal(cause(heard(backup, advert('10.0.0.1', 150)), down), 'master-down')
  assert.equal(cause(heard(backup, advert('10.0.0.1', 50)), down), 'preempted')
  assert.equal(cause(heard(backup, advert('10.0.0.1', 50), advert('10.0.0.3', 150)), down), 'master-down', 'a higher master took over since')
  assert.equal(cause(heard(at({ ...v3, preemptDelay: 5000 }, 'BACKUP', 100, { preemptAt: 5000 }), advert('10.0.0.1', 50)), down), 'master-down', 'inside preempt_delay the lower master is accepted')
  assert.equal(cause(heard(backup, advert('10.0.0.1', 150), advert('10.0.0.1', 0)), down), 'master-resigned')
  assert.equal(cause(backup, { t: 'priority', prio: 255 }), 'owner')
  assert.equal(cause(backup, { t: 'syncMaster' }), 'sync-group')
  assert.equal(cause(at(v3, 'MASTER'), advert('10.0.0.1', 150)), 'higher-priority')
  assert.equal(cause(at(v3, 'MASTER'), { t: 'syncBackup' }), 'sync-group')
  assert.equal(cause(at(v3, 'MASTER'), { t: 'fault', why: failed }), 'track-failed')
  assert.equal(cause(at(v3, 'MASTER'), { t: 'shutdown', why: reasons.removed() }), 'removed')
  assert.equal(cause(at(v3, 'FAULT'), { t: 'faultCleared', why: recovered }), 'track-recovered')
  assert.equal(cause(at(v3, 'MASTER'), advert('10.0.0.1', 50)), null)
})
