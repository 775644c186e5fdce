/** The shell of one vrrp_instance: feeds packets, timers and tracking into the
 *  pure fsm.ts and executes the effects it returns through the injected
 *  transport, VIP manager, timers and script runner. */
import { EventEmitter } from 'node:events'
import type { Clock, Timer, TimerSource } from '../core/clock.ts'
import { RECENT_TRANSITIONS, type VrrpCounters, type VrrpInstancePlan, type VrrpStatus, type VrrpStateName, type VrrpTransition } from './types.ts'
import type { ScriptRunner, VipManager, VrrpTransport } from './ports.ts'
import { initialState, masterDownInterval, reconfigure, step, type FsmConfig, type FsmState, type TimerName, type VrrpEffect, type VrrpEvent } from './fsm.ts'
import { diffVips } from './reconcile.ts'
import { decodeIpv4, encodeAdvert } from './packet.ts'
import { reasons, type VrrpReason } from './reason.ts'

export interface InstanceDeps {
  readonly clock: Clock
  readonly timers: TimerSource
  readonly transport: VrrpTransport
  readonly vips: VipManager
  readonly runScript?: ScriptRunner
  readonly log?: (msg: string) => void
}

/** A tracked condition: <weight> 0 means failure puts the instance in Fault;
 *  >0 is added to the priority while OK; <0 is added while failing (keepalived).
 *  <ok>: its state when first tracked (default OK); a track kept by a reload keeps its own. */
export interface TrackSpec { readonly name: string; readonly weight: number; readonly ok?: boolean }

export class VrrpInstance extends EventEmitter<{ transition: [VrrpTransition]; wantMaster: [] }> {
  private current: VrrpInstancePlan
  /** vrrp_sync_group (sync-group.ts): while this returns true, an expired
   *  Master_Down timer does not make this Backup master; it is re-armed and
   *  the instance announces 'wantMaster' instead. */
  holdMaster: (() => boolean) | null = null
  private wanting = false
  private fsm: FsmState
  private readonly deps: InstanceDeps
  private readonly timers = new Map<TimerName, Timer>()
  private readonly tracks = new Map<string, { weight: number; ok: boolean }>()
  private readonly counters: VrrpCounters = {
    advertsSent: 0, advertsReceived: 0, becameMaster: 0, releasedMaster: 0, transitions: 0,
    priorityZeroSent: 0, priorityZeroReceived: 0, dropped: {}
  }
  private lastTransition = 0
  private readonly recent: VrrpTransition[] = []
  private garpTimer: Timer | null = null
  /** VIP operations run one after another so that add/del keep their order */
  private vipChain: Promise<void> = Promise.resolve()

  constructor (plan: VrrpInstancePlan, tracks: readonly TrackSpec[], deps: InstanceDeps) {
    super()
    this.current = plan
    this.deps = deps
    for (const t of tracks) this.tracks.set(t.name, { weight: t.weight, ok: t.ok ?? true })
    this.fsm = initialState(this.fsmConfig(), this.effectivePriority())
    deps.transport.onPacket(pkt => this.receive(pkt))
  }

  get plan (): VrrpInstancePlan { return this.current }

  /** Clears stale VIPs, then enters Backup (or Master for priority 255, or Fault). */
  async start (): Promise<void> {
    await this.deps.vips.del(this.plan.vips).catch(e => this.log(`clearing stale VIPs: ${String(e)}`))
    const failed = this.faultingTrack()
    this.dispatch(failed === null ? { t: 'start' } : { t: 'fault', why: reasons.track(failed, false) })
  }

  /** Resigns (priority 0 advert when master), removes VIPs, stops timers and the transport;
   *  <why>: a shutdown, or a reload that removed the instance. */
  async stop (why: VrrpReason = reasons.stop()): Promise<void> {
    this.dispatch({ t: 'shutdown', why })
    for (const t of this.timers.values()) t.cancel()
    this.timers.clear()
    this.stopGarpRefresh()
    await this.vipChain
    this.deps.transport.close()
  }

  /** Reports the state of tracked condition <name>; unknown names are ignored. */
  setTrack (name: string, ok: boolean): void {
    const t = this.tracks.get(name)
    if (!t || t.ok === ok) return
    const hadFault = this.hasFault()
    t.ok = ok
    this.log(`track ${name} is now ${ok ? 'OK' : 'FAILED'}`)
    this.settle(hadFault, reasons.track(name, ok))
  }

  /** A reload's new <plan> and <tracks> for this running instance (same interface,
   *  VRID and addresses: reconcile.ts). The state stays; tracks still listed keep
   *  theirs (new ones start OK); a master puts on and takes off the VIPs that
   *  changed and advertises a new priority at once. */
  reconfigure (plan: VrrpInstancePlan, tracks: readonly TrackSpec[]): void {
    const hadFault = this.hasFault()
    const before = this.current
    const was = new Map(this.tracks)
    this.tracks.clear()
    for (const t of tracks) this.tracks.set(t.name, { weight: t.weight, ok: was.get(t.name)?.ok ?? t.ok ?? true })
    this.current = plan
    const [next, effects] = reconfigure(this.fsm, this.fsmConfig())
    this.fsm = next
    for (const e of effects) this.run(e)
    if (this.fsm.state === 'MASTER') {
      const { added, removed } = diffVips(before.vips, plan.vips)
      if (removed.length) this.queueVip(() => this.deps.vips.del(removed), 'removing VIPs')
      if (added.length) {
        this.queueVip(() => this.deps.vips.add(added), 'adding VIPs')
        this.queueVip(() => this.deps.vips.garp(added, plan.garp.masterRepeat), 'gratuitous ARP')
      }
    }
    const failed = this.faultingTrack()
    this.settle(hadFault, failed === null ? reasons.reloadCleared() : reasons.track(failed, false))
  }

  status (): VrrpStatus {
    const failing: string[] = []
    for (const [name, t] of this.tracks) if (!t.ok) failing.push(name)
    return {
      name: this.plan.name, state: this.fsm.state, vrid: this.plan.vrid, interface: this.plan.interface,
      vips: this.plan.vips.map(v => `${v.addr}/${v.prefixLen}`), version: this.plan.version,
      basePriority: this.plan.priority, effectivePriority: this.fsm.priority,
      masterIp: this.fsm.masterIp, masterPriority: this.fsm.masterPriority,
      lastTransition: this.lastTransition,
      counters: { ...this.counters, dropped: { ...this.counters.dropped } }, failing,
      recentTransitions: [...this.recent]
    }
  }

  get state (): VrrpStateName { return this.fsm.state }

  /** True while a Backup's Master_Down timer expired but holdMaster kept it back. */
  get wantsMaster (): boolean { return this.wanting }

  /** vrrp_sync_group: follow another member to Master (from Backup) or to Backup (from Master). */
  follow (to: 'MASTER' | 'BACKUP'): void { this.dispatch({ t: to === 'MASTER' ? 'syncMaster' : 'syncBackup' }) }

  /** Weight of track <name>, or null when this instance does not track it. */
  trackWeight (name: string): number | null { return this.tracks.get(name)?.weight ?? null }

  /** After tracks or the plan changed (<why>): the new effective priority, then Fault entered or left. */
  private settle (hadFault: boolean, why: VrrpReason): void {
    const prio = this.effectivePriority()
    if (prio !== this.fsm.priority) this.dispatch({ t: 'priority', prio })
    const fault = this.hasFault()
    if (fault && !hadFault) this.dispatch({ t: 'fault', why })
    else if (!fault && hadFault) this.dispatch({ t: 'faultCleared', why })
  }

  private fsmConfig (): FsmConfig {
    const p = this.current
    return { version: p.version, adverInt: p.advertInt, preempt: p.preempt, preemptDelay: p.preemptDelay, primaryIp: this.deps.transport.localAddress }
  }

  private hasFault (): boolean { return this.faultingTrack() !== null }

  /** The first failed track of weight 0 (it holds the instance in Fault), or null. */
  private faultingTrack (): string | null {
    for (const [name, t] of this.tracks) if (t.weight === 0 && !t.ok) return name
    return null
  }

  /** keepalived: the owner (255) is never adjusted; others are clamped to 1..254. */
  private effectivePriority (): number {
    if (this.plan.priority === 255) return 255
    let p = this.plan.priority
    for (const t of this.tracks.values()) {
      if (t.weight > 0 && t.ok) p += t.weight
      else if (t.weight < 0 && !t.ok) p += t.weight
    }
    return Math.min(254, Math.max(1, p))
  }

  private receive (pkt: Buffer): void {
    const d = decodeIpv4(pkt, { version: this.plan.version, vrid: this.plan.vrid, adverInt: this.plan.advertInt })
    if (!d.ok) {
      this.counters.dropped[d.reason] = (this.counters.dropped[d.reason] ?? 0) + 1
      return
    }
    if (d.src === this.deps.transport.localAddress) return     // our own multicast looped back
    this.counters.advertsReceived++
    if (d.advert.priority === 0) {
      this.counters.priorityZeroReceived++
      if (this.fsm.state === 'BACKUP') this.log(`(${this.plan.name}) Backup received priority 0 advertisement`)
    }
    this.dispatch({ t: 'advert', from: d.src, prio: d.advert.priority, adverInt: d.advert.adverInt })
  }

  private dispatch (ev: VrrpEvent): void {
    const ours = this.fsm.priority
    const [next, effects] = step(this.fsm, ev, this.deps.clock.now())
    this.fsm = next
    // keepalived's line for what caused a master to step down, before its "Entering" line
    if (ev.t === 'advert' && effects.some(e => e.t === 'transition')) {
      this.log(ev.prio > ours
        ? `(${this.plan.name}) Master received advert from ${ev.from} with higher priority ${ev.prio}, ours ${ours}`
        : `(${this.plan.name}) Master received advert from ${ev.from} with same priority ${ev.prio} but higher IP address than ours`)
    }
    // an advert from a master we accept ends the wish to become master
    if (ev.t === 'advert' && ev.prio > 0 && effects.some(e => e.t === 'arm' && e.timer === 'masterDown')) this.wanting = false
    for (const e of effects) this.run(e)
  }

  private run (e: VrrpEffect): void {
    switch (e.t) {
      case 'sendAdvert': return this.sendAdvert(e.prio)
      case 'addVips': this.queueVip(() => this.deps.vips.add(this.plan.vips), 'adding VIPs'); return
      case 'delVips': this.stopGarpRefresh(); this.queueVip(() => this.deps.vips.del(this.plan.vips), 'removing VIPs'); return
      case 'garp': return this.scheduleGarp()
      case 'arm': return this.arm(e.timer, e.ms)
      case 'cancel': this.timers.get(e.timer)?.cancel(); this.timers.delete(e.timer); return
      case 'transition': return this.transition(e.from, e.to, e.reason)
    }
  }

  private sendAdvert (prio: number): void {
    const t = this.deps.transport
    const advert = { version: this.plan.version, vrid: this.plan.vrid, priority: prio, adverInt: this.plan.advertInt, addrs: this.plan.vips.map(v => v.addr) }
    for (const dst of t.destinations) {
      try { t.send(encodeAdvert(advert, t.localAddress, dst), dst) } catch (err) { this.log(`send to ${dst}: ${String(err)}`) }
    }
    this.counters.advertsSent++
    if (prio === 0) {
      this.counters.priorityZeroSent++
      this.log(`(${this.plan.name}) sent 0 priority`)
    }
  }

  private arm (name: TimerName, ms: number): void {
    this.timers.get(name)?.cancel()
    const fire = name === 'adver' ? () => this.dispatch({ t: 'adverTimeout' }) : () => this.masterDown()
    this.timers.set(name, this.deps.timers.after(ms, () => { this.timers.delete(name); fire() }))
  }

  private masterDown (): void {
    if (this.fsm.state === 'BACKUP' && this.holdMaster?.()) {
      this.wanting = true
      this.arm('masterDown', masterDownInterval(this.fsm.cfg, this.fsm.priority, this.fsm.masterAdverInt))
      this.emit('wantMaster')
      return
    }
    if (this.fsm.state === 'BACKUP') this.log(`(${this.plan.name}) Receive advertisement timeout`)
    this.dispatch({ t: 'masterDownTimeout' })
  }

  private queueVip (op: () => Promise<void>, what: string): void {
    this.vipChain = this.vipChain.then(op).catch(err => this.log(`${what}: ${String(err)}`))
  }

  /** keepalived garp_master_*: a burst now (after the VIPs are up), another after
   *  <masterDelay>, then one every <masterRefresh> while master. */
  private scheduleGarp (): void {
    const g = this.plan.garp
    this.queueVip(() => this.deps.vips.garp(this.plan.vips, g.masterRepeat), 'gratuitous ARP')
    const refresh = (): void => {
      this.garpTimer = g.masterRefresh > 0
        ? this.deps.timers.after(g.masterRefresh, () => { this.queueVip(() => this.deps.vips.garp(this.plan.vips, g.masterRefreshRepeat), 'gratuitous ARP'); refresh() })
        : null
    }
    this.stopGarpRefresh()
    if (g.masterDelay > 0) {
      this.garpTimer = this.deps.timers.after(g.masterDelay, () => {
        this.queueVip(() => this.deps.vips.garp(this.plan.vips, g.masterRepeat), 'gratuitous ARP')
        refresh()
      })
    } else refresh()
  }

  private stopGarpRefresh (): void {
    this.garpTimer?.cancel()
    this.garpTimer = null
  }

  private transition (from: VrrpStateName, to: VrrpStateName, reason: VrrpReason): void {
    this.lastTransition = this.deps.clock.wall()
    this.wanting = false
    this.counters.transitions++
    if (to === 'MASTER') this.counters.becameMaster++
    if (from === 'MASTER') this.counters.releasedMaster++
    this.log(`(${this.plan.name}) Entering ${to} STATE`)
    const tr: VrrpTransition = { instance: this.plan.name, from, to, at: this.lastTransition, priority: this.fsm.priority, reason }
    this.recent.push(tr)
    if (this.recent.length > RECENT_TRANSITIONS) this.recent.shift()
    this.emit('transition', tr)
    const run = this.deps.runScript
    if (!run) return
    const n = this.plan.notify
    const specific = to === 'MASTER' ? n.master : to === 'BACKUP' ? n.backup : to === 'FAULT' ? n.fault : n.stop
    if (specific) run(specific, [])
    if (n.any) run(n.any, ['INSTANCE', this.plan.name, to === 'INIT' ? 'STOP' : to, String(this.fsm.priority)])
  }

  private log (msg: string): void { this.deps.log?.(msg) }
}
