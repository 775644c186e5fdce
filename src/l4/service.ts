/** The kernel path at run time: programs the virtual services into nftables,
 *  runs their checkers and reprograms the table when a real server goes up or
 *  down (with keepalived's quorum, notify and omega scripts, alpha and
 *  ha_suspend: docs/l4.md). Entry points: new L4Service(plans, opts), start(), reload(plans), status(), stop().
 *
 *  Rules match a VIP only while it is a local address of this node (`fib daddr
 *  type local`): when the VRRP instance holding it goes BACKUP and the VIP moves,
 *  the services stop matching here without any reprogramming, and start again
 *  when the VIP comes back. */
import { readFileSync, writeFileSync } from 'node:fs'
import { systemClock, systemTimers, type Clock, type Timer, type TimerSource } from '../core/clock.ts'
import type { VirtualServerPlan } from './plan.ts'
import { CHECKER_NAMES, L4Health, type RealServerHealth } from './health.ts'
import { L4_TABLE, SORRY_ID, buildModel, deleteTableText, flowCounter, nftTransaction, realServerId, trafficCounter, type NftModel, type ServiceState } from './nft-ruleset.ts'
import { nftApply, readCounters, type CounterValue } from './nft.ts'
import { resolveDrLinks } from './dr-topology.ts'
import type { L4RealServerStatus, L4ServiceStatus } from './status.ts'
import { DEFAULT_QUORUM, ServiceQuorum } from './quorum.ts'
import { runShell } from '../core/run-shell.ts'
import { VIP_POLL_MS, checksHeld, localIpv4 } from './ha-suspend.ts'

export interface L4ServiceOptions {
  readonly log: (msg: string) => void
  readonly clock?: Clock
  readonly timers?: TimerSource
}

const IP_FORWARD = '/proc/sys/net/ipv4/ip_forward'

/** True when the kernel forwards IPv4 (lb_kind NAT sends DNATed flows on). */
export function ipForwarding (): boolean {
  try { return readFileSync(IP_FORWARD, 'utf8').trim() === '1' } catch { return false }
}

/** lb_kind NAT needs the kernel to forward; DR alone does not (netdev ingress `fwd`),
 *  and the box is then left as it was. */
function enableForwarding (plans: readonly VirtualServerPlan[], log: (msg: string) => void): void {
  if (ipForwarding() || !plans.some(p => p.kind === 'NAT')) return
  writeFileSync(IP_FORWARD, '1\n')
  log('net.ipv4.ip_forward set to 1: lb_kind NAT forwards the balanced flows')
}

/** how config/keepalived names a `virtual_server group` service */
const GROUP_PREFIX = 'group '
const tag = (proto: string, addr: string, port: number): string => `[${addr}]:${proto}:${port}`
/** the sum of the weights of the live real servers (<weights>: 0 for those down) */
const liveWeight = (weights: ReadonlyMap<string, number>): number => { let sum = 0; for (const w of weights.values()) sum += w; return sum }
const vsTag = (vs: VirtualServerPlan): string => vs.addresses.length === 1 ? tag(vs.protocol, vs.addresses[0]!.addr, vs.addresses[0]!.port) : `[${vs.name}]`

export class L4Service {
  private readonly health: L4Health
  private model: NftModel | null = null
  /** the applies in flight, one after the other */
  private queue: Promise<void> = Promise.resolve()
  private pending = false
  private stopped = false
  /** each service's quorum state, by service key */
  private quorums = new Map<string, ServiceQuorum>()
  private readonly timers: TimerSource
  /** the next look at the VIPs of ha_suspend services */
  private vipWatch: Timer | null = null

  constructor (private plans: readonly VirtualServerPlan[], private readonly o: L4ServiceOptions) {
    this.timers = o.timers ?? systemTimers
    this.health = new L4Health(plans, {
      clock: o.clock ?? systemClock,
      timers: this.timers,
      onChange: (h, ev, checker) => {
        this.report(h, ev.up, checker, ev.info || ev.reason)
        const script = ev.up ? h.rs.notifyUp : h.rs.notifyDown
        if (script) runShell(script)
        this.checkQuorum(h.vs)
        this.schedule()
      },
      onWeight: (h, from, to, why) => {
        this.o.log(`Changing weight from ${from} to ${to} for service ${tag(h.vs.protocol, h.rs.addr, h.rs.port)} of VS ${vsTag(h.vs)} (MISC_CHECK ${why})`)
        this.checkQuorum(h.vs)
        this.schedule()
      }
    })
    for (const vs of plans) this.quorums.set(vs.key, new ServiceQuorum(vs.quorum ?? DEFAULT_QUORUM, liveWeight(this.weights(vs))))
  }

  /** Programs the whole table (replacing any left over), then arms the checks;
   *  without services, nothing (no table). Rejects, with nothing applied, when
   *  nft refuses the ruleset. */
  async start (): Promise<void> {
    if (this.plans.length) {
      enableForwarding(this.plans, this.o.log)
      await this.apply()
      this.o.log(`Activated ${this.plans.length} virtual server(s) in nftables table ip ${L4_TABLE}`)
    }
    this.followVips()
    this.health.start()
  }

  /** Moves to the services <plans> (a reloaded configuration) in one nft
   *  transaction: real servers that stay keep their check state, counters and
   *  persistence sets; new ones start up; the others go; no services = no table.
   *  Rejects, with nothing changed, when nft refuses the new ruleset. */
  reload (plans: readonly VirtualServerPlan[]): Promise<void> {
    const run = this.queue.then(() => this.replace(plans))
    this.queue = run.catch(() => {})
    return run
  }

  /** Stops the checks and deletes the table; established flows keep their conntrack NAT.
   *  Services with omega run their down scripts. */
  async stop (): Promise<void> {
    if (!this.stopped) for (const vs of this.plans) this.omega(vs, this.health.servers.filter(h => h.vs === vs), true)
    this.stopped = true
    this.vipWatch?.cancel()
    this.vipWatch = null
    this.health.stop()
    await this.queue
    if (this.model !== null) await nftApply(deleteTableText)
    this.model = null
  }

  /** The services, their real servers and the kernel's counters. */
  async status (): Promise<L4ServiceStatus[]> {
    if (!this.plans.length) return []
    const counters = await readCounters()
    const byRs = new Map<string, RealServerHealth>(this.health.servers.map(h => [`${h.vs.key} ${realServerId(h.rs)}`, h]))
    return this.plans.map(vs => {
      const weights = this.chosen(vs, this.weights(vs), this.quorums)
      const real = vs.realServers.map(rs => {
        const h = byRs.get(`${vs.key} ${realServerId(rs)}`)!
        const views = h.views()
        return this.serverStatus(vs, realServerId(rs), rs.addr, rs.port, rs.weight, weights.get(realServerId(rs)) ?? 0, h.up, rs.inhibitOnFailure, counters,
          views.map((v, i) => ({ checker: CHECKER_NAMES[rs.checkers[i]!.kind], up: v.up, lastStatus: v.lastStatus, lastInfo: v.lastInfo })))
      })
      const sorryActive = vs.sorryServer !== null && ![...weights.values()].some(w => w > 0)
      const sorry = vs.sorryServer === null ? null : this.serverStatus(vs, SORRY_ID, vs.sorryServer.addr, vs.sorryServer.port, 1, sorryActive ? 1 : 0, true, false, counters, [])
      return { name: vs.name, kind: vs.kind, protocol: vs.protocol, algo: vs.algo, addresses: vs.addresses, persistenceTimeout: vs.persistenceTimeout, sorryServer: sorry, sorryActive, realServers: real }
    })
  }

  private serverStatus (vs: VirtualServerPlan, id: string, addr: string, port: number, weight: number, effective: number, up: boolean, inhibit: boolean,
    counters: ReadonlyMap<string, CounterValue>, checks: L4RealServerStatus['checks']): L4RealServerStatus {
    const traffic = counters.get(trafficCounter(vs, id))
    return {
      addr, port, weight, effectiveWeight: effective, up, inhibited: !up && inhibit, checks,
      flows: counters.get(flowCounter(vs, id))?.packets ?? 0, packets: traffic?.packets ?? 0, bytes: traffic?.bytes ?? 0
    }
  }

  private weights (vs: VirtualServerPlan): Map<string, number> {
    const out = new Map<string, number>()
    for (const h of this.health.servers) if (h.vs === vs) out.set(realServerId(h.rs), h.up ? h.weight : 0)
    return out
  }

  /** <weights> as programmed: none of the real servers while the quorum is lost and a sorry server takes their place. */
  private chosen (vs: VirtualServerPlan, weights: Map<string, number>, quorums: ReadonlyMap<string, ServiceQuorum>): Map<string, number> {
    if (vs.sorryServer === null || quorums.get(vs.key)?.up !== false) return weights
    return new Map([...weights.keys()].map(id => [id, 0]))
  }

  /** Re-evaluates the quorum of <vs> after a change of its live weight: keepalived's lines, the sorry server, quorum_up/quorum_down. */
  private checkQuorum (vs: VirtualServerPlan): boolean {
    const q = this.quorums.get(vs.key)
    const change = q?.update(liveWeight(this.weights(vs)), vsTag(vs))
    if (!q || !change) return false
    this.o.log(change.line)
    const sorry = vs.sorryServer && tag(vs.protocol, vs.sorryServer.addr, vs.sorryServer.port)
    if (sorry) {
      const lines = change.gained
        ? [`Adding alive servers to the pool for VS ${vsTag(vs)}`, `Removing sorry server ${sorry} from VS ${vsTag(vs)}`]
        : [`Adding sorry server ${sorry} to VS ${vsTag(vs)}`, `Removing alive servers from the pool for VS ${vsTag(vs)}`]
      for (const line of lines) this.o.log(line)
    }
    const script = change.gained ? q.plan.up : q.plan.down
    if (script) runShell(script)
    return true
  }

  /** omega: the scripts of <servers> of <vs> that leave while up (stop, reload) — their
   *  notify_down — and, when the whole service goes with its quorum up, its quorum_down. */
  private omega (vs: VirtualServerPlan, servers: readonly RealServerHealth[], serviceGoes: boolean): void {
    if (vs.omega !== true) return
    for (const h of servers) if (h.up && h.rs.notifyDown) runShell(h.rs.notifyDown)
    const q = this.quorums.get(vs.key)
    if (serviceGoes && q?.up && q.plan.down) runShell(q.plan.down)
  }

  /** ha_suspend: holds the checks of the services whose VIP is not here, resumes the
   *  others (keepalived's lines for each real server), and looks again in VIP_POLL_MS
   *  while a service has ha_suspend. */
  private followVips (): void {
    this.vipWatch?.cancel()
    this.vipWatch = null
    if (this.stopped) return
    const watching = this.plans.some(vs => vs.haSuspend === true)
    const local = watching ? localIpv4() : new Set<string>()
    for (const h of this.health.servers) {
      const held = checksHeld(h.vs, local)
      if (h.suspend(held)) this.o.log(`${held ? 'Deactivating' : 'Activating'} healthchecker for service ${tag(h.vs.protocol, h.rs.addr, h.rs.port)} for VS ${vsTag(h.vs)}`)
    }
    if (watching) this.vipWatch = this.timers.after(VIP_POLL_MS, () => { this.followVips() })
  }

  private states (): ServiceState[] {
    return this.plans.map(plan => ({ plan, weights: this.chosen(plan, this.weights(plan), this.quorums), down: new Set(this.health.servers.filter(h => h.vs === plan && !h.up).map(h => realServerId(h.rs))) }))
  }

  /** Coalesces bursts of check transitions into one transaction. */
  private schedule (): void {
    if (this.pending || this.stopped) return
    this.pending = true
    this.queue = this.queue.then(async () => {
      this.pending = false
      if (this.stopped) return
      try { await this.apply() } catch (e) { this.o.log(`nftables update failed, previous rules kept: ${(e as Error).message}`) }
    })
  }

  private async apply (): Promise<void> {
    const links = await resolveDrLinks(this.plans)
    const next = buildModel(this.states(), links)
    const r = await nftApply(nftTransaction(this.model, next))
    if (!r.ok) throw new Error(r.stderr)
    this.model = next
  }

  private async replace (plans: readonly VirtualServerPlan[]): Promise<void> {
    if (this.stopped) return
    // before the health moves: a DR service without its link refuses the reload with nothing changed
    const links = await resolveDrLinks(plans)
    const change = this.health.change(plans)
    // kept services keep their quorum state; new ones start from their live weight
    const quorums = new Map(plans.map(vs => [vs.key, this.quorums.get(vs.key) ?? new ServiceQuorum(vs.quorum ?? DEFAULT_QUORUM, liveWeight(change.state(vs).weights))]))
    const states = plans.map(plan => { const st = change.state(plan); return { ...st, weights: this.chosen(plan, new Map(st.weights), quorums) } })
    const next = plans.length ? buildModel(states, links) : null
    if (next !== null) enableForwarding(plans, this.o.log)
    const text = next !== null ? nftTransaction(this.model, next) : this.model !== null ? deleteTableText : null
    if (text !== null) {
      const r = await nftApply(text)
      if (!r.ok) throw new Error(r.stderr)
    }
    const before = this.plans
    const kept = new Set(plans.map(vs => vs.key))
    for (const vs of before) this.omega(vs, change.removed.filter(h => h.vs === vs), !kept.has(vs.key))
    this.model = next
    this.plans = plans
    this.quorums = quorums
    for (const vs of plans) this.quorums.get(vs.key)!.plan = vs.quorum ?? DEFAULT_QUORUM
    change.commit()
    this.followVips()
    this.reportReload(before, plans, change.removed)
    if (plans.map(vs => this.checkQuorum(vs)).some(Boolean)) this.schedule()
  }

  /** keepalived's reload lines (clear_diff_services): services and real servers gone. */
  private reportReload (before: readonly VirtualServerPlan[], after: readonly VirtualServerPlan[], removed: readonly RealServerHealth[]): void {
    const kept = new Set(after.map(vs => vs.key))
    for (const vs of before) {
      if (!kept.has(vs.key)) this.o.log(vs.name.startsWith(GROUP_PREFIX) ? `Removing Virtual Server Group [${vs.name.slice(GROUP_PREFIX.length)}]` : `Removing Virtual Server ${vsTag(vs)}`)
    }
    for (const h of removed) if (kept.has(h.vs.key)) this.o.log(`service ${tag(h.vs.protocol, h.rs.addr, h.rs.port)} no longer exist`)
    const added = after.filter(vs => !before.some(b => b.key === vs.key)).length
    if (before.length || after.length) this.o.log(`Reloaded ${after.length} virtual server(s) in nftables table ip ${L4_TABLE} (${added} new, ${before.length + added - after.length} removed)`)
  }

  /** keepalived's log lines for a real server's change. */
  private report (h: RealServerHealth, up: boolean, checker: string, why: string): void {
    const rs = tag(h.vs.protocol, h.rs.addr, h.rs.port)
    const vs = vsTag(h.vs)
    if (!up) this.o.log(`${checker} on service ${rs} failed${why ? ` (${why})` : ''}.`)
    else this.o.log(`${checker} on service ${rs} success.`)
    const verb = h.rs.inhibitOnFailure ? (up ? 'Enabling' : 'Disabling') : (up ? 'Adding' : 'Removing')
    this.o.log(`${verb} service ${rs} ${up ? 'to' : 'from'} VS ${vs}`)
  }
}

