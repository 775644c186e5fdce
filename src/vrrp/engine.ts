/** Runs every vrrp_instance of a VrrpPlan in this thread, on the real system:
 *  raw sockets, iproute2, interface and script tracking, sync groups.
 *  main.ts runs it in its child process (beside the proxy) or alone (`pocketlb vrrp`);
 *  reload() moves it to a new plan as keepalived does on SIGHUP. */
import { EventEmitter } from 'node:events'
import { readFileSync } from 'node:fs'
import { setPriority } from 'node:os'
import { spawn } from 'node:child_process'
import { runShell } from '../core/run-shell.ts'
import { systemClock, type Timer, type TimerSource } from '../core/clock.ts'
import { SIMULATED_FAILURE_TRACK, type VrrpInstancePlan, type VrrpPlan, type VrrpScriptPlan, type VrrpStatus, type VrrpTransition } from './types.ts'
import { VrrpInstance, type TrackSpec } from './instance.ts'
import { diffInstances } from './reconcile.ts'
import { reasons } from './reason.ts'
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

const runScript: ScriptRunner = (cmd, args) => runShell(args.length ? `${cmd} ${args.map(a => `'${a}'`).join(' ')}` : cmd)

const withoutWhere = ({ where: _where, ...rest }: VrrpScriptPlan): object => rest
const sameScript = (a: VrrpScriptPlan, b: VrrpScriptPlan): boolean => JSON.stringify(withoutWhere(a)) === JSON.stringify(withoutWhere(b))

export class VrrpEngine extends EventEmitter<{ transition: [VrrpTransition] }> {
  readonly instances: VrrpInstance[] = []
  private readonly vips: IprouteVipManager
  private linkTimer: ReturnType<typeof setInterval> | null = null
  /** Each running vrrp_script, by name: its plan and how to end it */
  private readonly scripts = new Map<string, { plan: VrrpScriptPlan; cancel: () => void }>()
  private readonly log: (msg: string) => void
  private stopped = false
  private syncGroups: SyncGroup[] = []
  /** Conditions fed by track() that are failing now: instances a reload adds start with them
   *  (the demo's simulated failure is not fed again after a reload, unlike the proxy's health) */
  private readonly failingFed = new Set<string>()

  constructor (private plan: VrrpPlan, private readonly opts: EngineOpts = {}) {
    super()
    this.log = opts.log ?? (() => {})
    this.vips = new IprouteVipManager(this.log)
    for (const ip of plan.instances) this.instances.push(this.create(ip))
    this.syncGroups = this.groups()
  }

  async start (): Promise<void> {
    this.applyNiceness()
    this.pollLinks()
    this.syncScripts()
    await Promise.all(this.instances.map(i => i.start()))
  }

  /** Moves to the reloaded configuration <plan> as keepalived does (reconcile.ts):
   *  instances still configured keep their state and take their new settings in
   *  place, removed ones resign (priority 0 from a master), new ones start
   *  INIT → BACKUP. Rejects with nothing changed when a new instance cannot open
   *  its socket (e.g. its interface has no address). */
  async reload (plan: VrrpPlan): Promise<void> {
    if (this.stopped) return
    const d = diffInstances(this.instances, i => i.plan, plan.instances)
    const fresh: VrrpInstance[] = []
    try {
      for (const ip of d.added) fresh.push(this.create(ip))
    } catch (e) {
      for (const i of fresh) void i.stop()
      throw e
    }
    const niceChanged = plan.globals.niceness !== this.plan.globals.niceness
    this.plan = plan
    for (const g of this.syncGroups) g.dispose()
    await Promise.all(d.removed.map(i => i.stop(reasons.removed())))
    for (const [i, ip] of d.kept) i.reconfigure(ip, this.tracksOf(ip))
    const byName = new Map([...d.kept.map(([i]) => i), ...fresh].map(i => [i.plan.name, i]))
    this.instances.splice(0, this.instances.length, ...plan.instances.map(ip => byName.get(ip.name)!))
    this.syncGroups = this.groups()
    if (niceChanged) this.applyNiceness()
    this.pollLinks()
    this.syncScripts()
    await Promise.all(fresh.map(i => i.start()))
    this.updateSyncFaults()
  }

  /** Feeds tracked condition <name> (`track_pocketlb` entries) to every instance tracking it. */
  track (name: string, ok: boolean): void {
    const key = `pocketlb:${name}`
    if (ok) this.failingFed.delete(key)
    else this.failingFed.add(key)
    this.setTrack(key, ok)
  }

  state (): VrrpStatus[] { return this.instances.map(i => i.status()) }

  /** Every master resigns with priority 0 and drops its VIPs. */
  async stop (): Promise<void> {
    if (this.stopped) return
    this.stopped = true
    if (this.linkTimer) clearInterval(this.linkTimer)
    for (const s of this.scripts.values()) s.cancel()
    await Promise.all(this.instances.map(i => i.stop()))
    this.vips.close()
  }

  /** The instance of <ip> with its socket open (not started). */
  private create (ip: VrrpInstancePlan): VrrpInstance {
    const transport = openRawTransport({
      interface: ip.interface, srcIp: ip.unicastSrcIp, peers: ip.unicastPeers,
      exclude: ip.vips.map(v => v.addr), onError: err => this.log(`(${ip.name}) socket: ${err.message}`)
    })
    const inst = new VrrpInstance(ip, this.tracksOf(ip), {
      clock: systemClock, timers: nodeTimers, transport, vips: this.vips, runScript,
      log: msg => this.log(msg.startsWith('(') ? msg : `(${ip.name}) ${msg}`)
    })
    inst.on('transition', tr => { this.emit('transition', tr); this.updateSyncFaults() })
    return inst
  }

  /** What instance <ip> tracks under the current plan, with the weight of each. */
  private tracksOf (ip: VrrpInstancePlan): TrackSpec[] {
    const scriptWeight = (name: string): number => this.plan.scripts.find(s => s.name === name)?.weight ?? 0
    return [
      ...ip.trackInterfaces.map(t => ({ name: `if:${t.name}`, weight: t.weight ?? 0 })),
      ...ip.trackScripts.map(t => ({ name: `script:${t.name}`, weight: t.weight ?? scriptWeight(t.name) })),
      ...ip.trackPocketlb.map(t => this.fed(`pocketlb:${t.name}`, t.weight ?? 0)),
      ...this.plan.syncGroups.filter(g => g.members.includes(ip.name)).map(g => ({ name: syncTrack(g.name), weight: 0 })),
      this.fed(`pocketlb:${SIMULATED_FAILURE_TRACK}`, 0)
    ]
  }

  /** Track <name>, fed by track(), in the state last fed. */
  private fed (name: string, weight: number): TrackSpec {
    return { name, weight, ok: !this.failingFed.has(name) }
  }

  private groups (): SyncGroup[] {
    return this.plan.syncGroups.map(g => new SyncGroup(g, this.instances.filter(i => g.members.includes(i.plan.name)), this.log))
  }

  /** vrrp_priority: this process only runs VRRP, so its adverts go ahead of the proxy's work */
  private applyNiceness (): void {
    try { setPriority(this.plan.globals.niceness) } catch (e) { this.log(`vrrp_priority ${this.plan.globals.niceness}: ${(e as Error).message}`) }
  }

  private setTrack (name: string, ok: boolean): void {
    for (const i of this.instances) i.setTrack(name, ok)
    if (!isSyncTrack(name)) this.updateSyncFaults()
  }

  private updateSyncFaults (): void { for (const g of this.syncGroups) g.updateFault() }

  /** (Re)starts polling the tracked interfaces of the current plan. */
  private pollLinks (): void {
    if (this.linkTimer) clearInterval(this.linkTimer)
    this.linkTimer = null
    const names = new Set(this.plan.instances.flatMap(i => i.trackInterfaces.map(t => t.name)))
    const tick = (): void => { for (const n of names) this.setTrack(`if:${n}`, linkUp(n)) }
    tick()
    if (names.size) this.linkTimer = setInterval(tick, this.opts.linkPoll ?? IF_POLL_MS)
  }

  /** Runs the plan's vrrp_scripts: unchanged ones keep running (and their verdict), others (re)start. */
  private syncScripts (): void {
    const wanted = new Map(this.plan.scripts.map(s => [s.name, s]))
    for (const [name, run] of this.scripts) {
      const s = wanted.get(name)
      if (s !== undefined && sameScript(s, run.plan)) { wanted.delete(name); continue }
      run.cancel()
      this.scripts.delete(name)
    }
    for (const s of wanted.values()) this.scripts.set(s.name, { plan: s, cancel: this.runTrackScript(s) })
  }

  /** vrrp_script: run every <interval>; <rise> successes make it OK, <fall> failures FAILED.
   *  Returns the function that ends it. */
  private runTrackScript (s: VrrpScriptPlan): () => void {
    let ok = true; let streak = 0; let ended = false
    let timer: Timer | null = null
    const once = (): void => {
      const child = spawn('/bin/sh', ['-c', s.script], { stdio: 'ignore' })
      const kill = setTimeout(() => child.kill('SIGKILL'), s.timeout)
      /** <failure>: how a failed run ended, in keepalived's words */
      const done = (success: boolean, failure: string): void => {
        clearTimeout(kill)
        if (ended) return
        if (success === ok) streak = 0
        else if (++streak >= (success ? s.rise : s.fall)) {
          ok = success; streak = 0
          this.log(`VRRP_Script(${s.name}) ${success ? 'succeeded' : failure}`)
          this.setTrack(`script:${s.name}`, ok)
        }
        if (!this.stopped) timer = nodeTimers.after(s.interval, once)
      }
      child.on('error', () => done(false, 'failed (could not be run)'))
      child.on('exit', (code, signal) => done(code === 0, signal === 'SIGKILL' ? 'timed out' : `failed (exited with status ${code ?? -1})`))
    }
    once()
    return () => { ended = true; timer?.cancel() }
  }
}
