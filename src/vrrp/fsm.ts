/** Pure VRRP state machine (rfc5798 §6.4, rfc3768 §6.4 for v2 timers).
 *  step(state, event, now) returns the next state and the effects the shell
 *  (instance.ts) must execute, in order. No IO, no timers, no clock. */
import type { VrrpStateName } from './types.ts'
import { ipv4ToInt } from './packet.ts'
import { reasons, type VrrpReason } from './reason.ts'

export interface FsmConfig {
  readonly version: 2 | 3
  /** Configured advertisement interval, ms */
  readonly adverInt: number
  readonly preempt: boolean
  /** preempt_delay, ms: after start (or return to Backup) a lower-priority master is tolerated this long */
  readonly preemptDelay: number
  /** Our primary address (unicast_src_ip or the interface's), for the equal-priority tie (rfc5798 §6.4.3) */
  readonly primaryIp: string
}

export interface FsmState {
  readonly cfg: FsmConfig
  readonly state: VrrpStateName
  /** Effective priority (base + tracking); 255 = address owner */
  readonly priority: number
  /** Master_Adver_Interval, ms: learnt from the master in v3 Backup, else our own */
  readonly masterAdverInt: number
  readonly masterIp: string
  readonly masterPriority: number
  /** Time before which a lower-priority master is still accepted (preempt_delay) */
  readonly preemptAt: number
  /** A Backup waiting to preempt: the lower-priority master last heard ('' when none) */
  readonly lowerFrom: string
  readonly lowerPriority: number
}

export type VrrpEvent =
  | { readonly t: 'start' }
  | { readonly t: 'advert'; readonly from: string; readonly prio: number; readonly adverInt: number }
  | { readonly t: 'masterDownTimeout' }
  | { readonly t: 'adverTimeout' }
  /** Effective priority changed (tracking weights) */
  | { readonly t: 'priority'; readonly prio: number }
  /** <why>: the shell knows which track failed, recovered or what stopped the instance */
  | { readonly t: 'fault'; readonly why: VrrpReason }
  | { readonly t: 'faultCleared'; readonly why: VrrpReason }
  | { readonly t: 'shutdown'; readonly why: VrrpReason }
  /** vrrp_sync_group: another member became master, this one follows (from Backup) */
  | { readonly t: 'syncMaster' }
  /** vrrp_sync_group: another member fell back to Backup; a master follows
   *  without a priority 0 advert (the peer group's own sync takes over) */
  | { readonly t: 'syncBackup' }

export type TimerName = 'adver' | 'masterDown'

export type VrrpEffect =
  | { readonly t: 'sendAdvert'; readonly prio: number }
  | { readonly t: 'addVips' }
  | { readonly t: 'delVips' }
  | { readonly t: 'garp' }
  /** (Re)start timer <timer>, replacing any running one */
  | { readonly t: 'arm'; readonly timer: TimerName; readonly ms: number }
  | { readonly t: 'cancel'; readonly timer: TimerName }
  | { readonly t: 'transition'; readonly from: VrrpStateName; readonly to: VrrpStateName; readonly reason: VrrpReason }

export function initialState (cfg: FsmConfig, priority: number): FsmState {
  return { cfg, state: 'INIT', priority, masterAdverInt: cfg.adverInt, masterIp: '', masterPriority: 0, preemptAt: 0, lowerFrom: '', lowerPriority: 0 }
}

/** Skew_Time in ms: v3 rfc5798 §6.1 ((256-prio) * MAI / 256); v2 rfc3768 §6.1 ((256-prio)/256 s). */
export function skewTime (cfg: FsmConfig, prio: number, masterAdverInt: number): number {
  return cfg.version === 3 ? ((256 - prio) * masterAdverInt) / 256 : ((256 - prio) * 1000) / 256
}

/** Master_Down_Interval in ms: 3 * Master_Adver_Interval + Skew_Time. */
export function masterDownInterval (cfg: FsmConfig, prio: number, masterAdverInt: number): number {
  return 3 * masterAdverInt + skewTime(cfg, prio, masterAdverInt)
}

const toMaster = (st: FsmState, reason: VrrpReason): [FsmState, VrrpEffect[]] => [
  { ...st, state: 'MASTER', masterIp: st.cfg.primaryIp, masterPriority: st.priority, masterAdverInt: st.cfg.adverInt, lowerFrom: '', lowerPriority: 0 },
  [{ t: 'cancel', timer: 'masterDown' }, { t: 'sendAdvert', prio: st.priority }, { t: 'addVips' }, { t: 'garp' },
    { t: 'arm', timer: 'adver', ms: st.cfg.adverInt }, { t: 'transition', from: st.state, to: 'MASTER', reason }]
]

function toBackup (st: FsmState, now: number, mai: number, extra: VrrpEffect[], reason: VrrpReason): [FsmState, VrrpEffect[]] {
  const cfg = st.cfg
  const next: FsmState = { ...st, state: 'BACKUP', masterAdverInt: mai, preemptAt: now + cfg.preemptDelay, lowerFrom: '', lowerPriority: 0 }
  return [next, [{ t: 'cancel', timer: 'adver' }, ...extra,
    { t: 'arm', timer: 'masterDown', ms: masterDownInterval(cfg, st.priority, mai) },
    { t: 'transition', from: st.state, to: 'BACKUP', reason }]]
}

/** Leave Master/Backup for <to> (FAULT or INIT); a master hands over with priority 0 (rfc5798 §6.4.3). */
function leave (st: FsmState, to: VrrpStateName, reason: VrrpReason): [FsmState, VrrpEffect[]] {
  const eff: VrrpEffect[] = [{ t: 'cancel', timer: 'adver' }, { t: 'cancel', timer: 'masterDown' }]
  if (st.state === 'MASTER') eff.push({ t: 'sendAdvert', prio: 0 }, { t: 'delVips' })
  eff.push({ t: 'transition', from: st.state, to, reason })
  return [{ ...st, state: to, masterIp: '', masterPriority: 0, lowerFrom: '', lowerPriority: 0 }, eff]
}

/** Why a Backup's Master_Down timer expired: the master resigned (priority 0,
 *  the timer was cut to Skew_Time), a lower-priority master is preempted, or
 *  no advert came at all. */
function masterDownReason (st: FsmState): VrrpReason {
  if (st.masterPriority === 0 && st.masterIp !== '') return reasons.masterResigned(st.masterIp, skewTime(st.cfg, st.priority, st.masterAdverInt))
  if (st.lowerFrom !== '') return reasons.preempted(st.lowerFrom, st.lowerPriority, st.priority)
  return reasons.masterDown(masterDownInterval(st.cfg, st.priority, st.masterAdverInt))
}

/** A start or a cleared fault: Backup, or Master at once for the address owner. */
const enter = (st: FsmState, now: number, reason: VrrpReason): [FsmState, VrrpEffect[]] =>
  st.priority === 255 ? toMaster(st, reason) : toBackup(st, now, st.cfg.adverInt, [], reason)

/** True when an advert from <from> at <prio> beats us (rfc5798 §6.4.3: higher
 *  priority, or equal priority and higher primary address). */
function beatsUs (st: FsmState, from: string, prio: number): boolean {
  return prio > st.priority || (prio === st.priority && ipv4ToInt(from) > ipv4ToInt(st.cfg.primaryIp))
}

const same = (st: FsmState): [FsmState, VrrpEffect[]] => [st, []]

/** A reload's new configuration <cfg> for a running instance: its state stays.
 *  A master adopts the new advert_int at once (and advertises with it); a v2
 *  backup uses its own interval for Master_Down (rfc3768), a v3 one keeps the
 *  interval learnt from the master. Priority changes come as 'priority' events. */
export function reconfigure (st: FsmState, cfg: FsmConfig): [FsmState, VrrpEffect[]] {
  const intervalChanged = cfg.adverInt !== st.cfg.adverInt
  if (st.state === 'MASTER') {
    return [{ ...st, cfg, masterAdverInt: cfg.adverInt }, intervalChanged ? [{ t: 'arm', timer: 'adver', ms: cfg.adverInt }] : []]
  }
  const mai = cfg.version === 2 || st.masterAdverInt === st.cfg.adverInt ? cfg.adverInt : st.masterAdverInt
  return [{ ...st, cfg, masterAdverInt: mai }, []]
}


export function step (st: FsmState, ev: VrrpEvent, now: number): [FsmState, VrrpEffect[]] {
  const cfg = st.cfg
  switch (st.state) {
    case 'INIT':
      if (ev.t === 'start') return enter(st, now, st.priority === 255 ? reasons.owner() : reasons.start())
      if (ev.t === 'faultCleared') return enter(st, now, ev.why)
      if (ev.t === 'fault') return [{ ...st, state: 'FAULT' }, [{ t: 'transition', from: 'INIT', to: 'FAULT', reason: ev.why }]]
      if (ev.t === 'priority') return [{ ...st, priority: ev.prio }, []]
      return same(st)

    case 'FAULT':
      if (ev.t === 'faultCleared') return enter(st, now, ev.why)
      if (ev.t === 'priority') return [{ ...st, priority: ev.prio }, []]
      if (ev.t === 'shutdown') return leave(st, 'INIT', ev.why)
      return same(st)

    case 'BACKUP':
      switch (ev.t) {
        case 'masterDownTimeout': return toMaster(st, masterDownReason(st))
        case 'syncMaster': return toMaster(st, reasons.syncGroup('MASTER'))
        case 'advert': {
          if (ev.prio === 0) {
            // rfc5798 §6.4.2: the master resigned; take over after Skew_Time only
            return [{ ...st, masterIp: ev.from, masterPriority: 0 },
              [{ t: 'arm', timer: 'masterDown', ms: skewTime(cfg, st.priority, st.masterAdverInt) }]]
          }
          const lower = ev.prio < st.priority
          // let Master_Down expire: preempt (the lower master is remembered for the reason)
          if (lower && cfg.preempt && now >= st.preemptAt) return [{ ...st, lowerFrom: ev.from, lowerPriority: ev.prio }, []]
          const mai = cfg.version === 3 ? ev.adverInt : cfg.adverInt
          return [{ ...st, masterAdverInt: mai, masterIp: ev.from, masterPriority: ev.prio, lowerFrom: '', lowerPriority: 0 },
            [{ t: 'arm', timer: 'masterDown', ms: masterDownInterval(cfg, st.priority, mai) }]]
        }
        case 'priority': {
          const next = { ...st, priority: ev.prio }
          if (ev.prio === 255) return toMaster(next, reasons.owner())
          return [next, []]
        }
        case 'fault': return leave(st, 'FAULT', ev.why)
        case 'shutdown': return leave(st, 'INIT', ev.why)
        default: return same(st)
      }

    case 'MASTER':
      switch (ev.t) {
        case 'adverTimeout':
          return [st, [{ t: 'sendAdvert', prio: st.priority }, { t: 'arm', timer: 'adver', ms: cfg.adverInt }]]
        case 'advert':
          if (ev.prio === 0) {
            // rfc5798 §6.4.3: answer a resigning peer at once so backups do not wait
            return [st, [{ t: 'sendAdvert', prio: st.priority }, { t: 'arm', timer: 'adver', ms: cfg.adverInt }]]
          }
          if (beatsUs(st, ev.from, ev.prio)) {
            const mai = cfg.version === 3 ? ev.adverInt : cfg.adverInt
            const why = ev.prio > st.priority ? reasons.higherPriority(ev.from, ev.prio, st.priority) : reasons.equalPriorityHigherAddress(ev.from, ev.prio)
            return toBackup({ ...st, masterIp: ev.from, masterPriority: ev.prio }, now, mai, [{ t: 'delVips' }], why)
          }
          return same(st)
        case 'priority':
          return [{ ...st, priority: ev.prio, masterPriority: ev.prio }, [{ t: 'sendAdvert', prio: ev.prio }, { t: 'arm', timer: 'adver', ms: cfg.adverInt }]]
        case 'syncBackup': return toBackup(st, now, cfg.adverInt, [{ t: 'delVips' }], reasons.syncGroup('BACKUP'))
        case 'fault': return leave(st, 'FAULT', ev.why)
        case 'shutdown': return leave(st, 'INIT', ev.why)
        default: return same(st)
      }
  }
}
