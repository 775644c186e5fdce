/** Runs every vrrp_instance of a VrrpPlan in this thread, on the real system:
 *  raw sockets, iproute2, interface and script tracking, sync groups.
 *  main.ts runs it in a worker thread (beside the proxy) or alone (`pocketlb vrrp`). */
import { EventEmitter } from 'node:events'
import { readFileSync } from 'node:fs'
import { setPriority } from 'node:os'
import { spawn } from 'node:child_process'
import { systemClock, type Timer, type TimerSource } from '../core/clock.ts'
import { SIMULATED_FAILURE_TRACK, type VrrpPlan, type VrrpScriptPlan, type VrrpStatus, type VrrpTransition } from './types.ts'
import { VrrpInstance, type TrackSpec } from './instance.ts'
import { openRawTransport } from './transport-raw.ts'
import { IprouteVipManager } from './vip.ts'
import type { ScriptRunner } from './ports.ts'
import { isSyncTrack, SyncGroup, syncTrack } from './sync-group.ts'

export const nodeTimers: TimerSource = {
  after (ms, fn) {
    const h = setTimeout(fn, ms)
    return { cancel: () => clearTimeout(h), refresh: () => { h.refresh() } }
  }
}

export interface EngineOpts {
  readonly log?: (msg: string) => void
  /** Interface state poll period, ms (keepalived learns it from netlink at once) */
  readonly linkPoll?: number
}

const IF_POLL_MS = 200

/** 'up' or 'unknown' (no carrier notion) count as up, like IFF_UP|IFF_RUNNING. */
export function linkUp (ifname: string): boolean {
  try {
    const s = readFileSync(`/sys/class/net/${ifname}/operstate`, 'utf8').trim()
    return s === 'up' || s === 'unknown'
  } catch { return false }
}

const runScript: ScriptRunner = (cmd, args) => {
  const full = args.length ? `${cmd} ${args.map(a => `'${a}'`).join(' ')}` : cmd
  spawn('/bin/sh', ['-c', full], { stdio: 'ignore', detached: false }).on('error', () => {})
}

export class VrrpEngine extends EventEmitter<{ transition: [VrrpTransition] }> {
  readonly instances: VrrpInstance[] = []
  private readonly vips: IprouteVipManager
  private linkTimer: ReturnType<typeof setInterval> | null = null
  /** The pending run of each vrrp_script, by name */
  private readonly scriptTimers = new Map<string, Timer>()
  private readonly log: (msg: string) => void
  private stopped = false
  private readonly syncGroups: SyncGroup[]

  constructor (private readonly plan: VrrpPlan, private readonly opts: EngineOpts = {}) {
    super()
    this.log = opts.log ?? (() => {})
    this.vips = new IprouteVipManager(this.log)
    for (const ip of plan.instances) {
      const scriptWeight = (name: string): number => plan.scripts.find(s => s.name === name)?.weight ?? 0
      const groups = plan.syncGroups.filter(g => g.members.includes(ip.name))
      const tracks: TrackSpec[] = [
        ...ip.trackInterfaces.map(t => ({ name: `if:${t.name}`, weight: t.weight ?? 0 })),
        ...ip.trackScripts.map(t => ({ name: `script:${t.name}`, weight: t.weight ?? scriptWeight(t.name) })),
        ...ip.trackPocketlb.map(t => ({ name: `pocketlb:${t.name}`, weight: t.weight ?? 0 })),
        ...groups.map(g => ({ name: syncTrack(g.name), weight: 0 })),
        { name: `pocketlb:${SIMULATED_FAILURE_TRACK}`, weight: 0 }
      ]
      const transport = openRawTransport({
        interface: ip.interface, srcIp: ip.unicastSrcIp, peers: ip.unicastPeers,
        exclude: ip.vips.map(v => v.addr), onError: err => this.log(`(${ip.name}) socket: ${err.message}`)
      })
      const inst = new VrrpInstance(ip, tracks, {
        clock: systemClock, timers: nodeTimers, transport, vips: this.vips, runScript,
        log: msg => this.log(msg.startsWith('(') ? msg : `(${ip.name}) ${msg}`)
      })
      inst.on('transition', tr => { this.emit('transition', tr); this.updateSyncFaults() })
      this.instances.push(inst)
    }
    this.syncGroups = plan.syncGroups.map(g => new SyncGroup(g, this.instances.filter(i => g.members.includes(i.plan.name)), this.log))
  }

  async start (): Promise<void> {
    // vrrp_priority: this process only runs VRRP, so its adverts go ahead of the proxy's work
    try { setPriority(this.plan.globals.niceness) } catch (e) { this.log(`vrrp_priority ${this.plan.globals.niceness}: ${(e as Error).message}`) }
    this.pollLinks()
    for (const s of this.plan.scripts) this.runTrackScript(s)
    await Promise.all(this.instances.map(i => i.start()))
  }

  /** Feeds tracked condition <name> (`track_pocketlb` entries) to every instance tracking it. */
  track (name: string, ok: boolean): void { this.setTrack(`pocketlb:${name}`, ok) }

  state (): VrrpStatus[] { return this.instances.map(i => i.status()) }

  /** Every master resigns with priority 0 and drops its VIPs. */
  async stop (): Promise<void> {
    if (this.stopped) return
    this.stopped = true
    if (this.linkTimer) clearInterval(this.linkTimer)
    for (const t of this.scriptTimers.values()) t.cancel()
    await Promise.all(this.instances.map(i => i.stop()))
    this.vips.close()
  }

  private setTrack (name: string, ok: boolean): void {
    for (const i of this.instances) i.setTrack(name, ok)
    if (!isSyncTrack(name)) this.updateSyncFaults()
  }

  private updateSyncFaults (): void { for (const g of this.syncGroups) g.updateFault() }

  private pollLinks (): void {
    const names = new Set(this.plan.instances.flatMap(i => i.trackInterfaces.map(t => t.name)))
    const tick = (): void => { for (const n of names) this.setTrack(`if:${n}`, linkUp(n)) }
    tick()
    if (names.size) this.linkTimer = setInterval(tick, this.opts.linkPoll ?? IF_POLL_MS)
  }

  /** vrrp_script: run every <interval>; <rise> successes make it OK, <fall> failures FAILED. */
  private runTrackScript (s: VrrpScriptPlan): void {
    let ok = true; let streak = 0
    const once = (): void => {
      const child = spawn('/bin/sh', ['-c', s.script], { stdio: 'ignore' })
      const kill = setTimeout(() => child.kill('SIGKILL'), s.timeout)
      const done = (success: boolean): void => {
        clearTimeout(kill)
        if (success === ok) streak = 0
        else if (++streak >= (success ? s.rise : s.fall)) { ok = success; streak = 0; this.setTrack(`script:${s.name}`, ok) }
        if (!this.stopped) this.scriptTimers.set(s.name, nodeTimers.after(s.interval, once))
      }
      child.on('error', () => done(false))
      child.on('exit', code => done(code === 0))
    }
    once()
  }
}
