import type { Clock, Timer, TimerSource } from '../core/clock.ts'
import type { BackendPlan, CheckServerPlan } from '../config/plan.ts'
import type { CheckControl, CheckTransition, CheckView, CheckedServer, Probe, ProbeResult, ProbeTarget, ProberTable } from './types.ts'
import { CHECK_STATUSES } from './status.ts'
import { applyOutcome, checkInterval, firstCheckDelay, initialHealth, resumedHealth, spreadJitter, type HealthState } from './state.ts'
import { runAgentCheck } from './probes/agent.ts'
import { tcpProbe } from './probes/tcp.ts'

/** HAProxy's SRV_CHK_INTER_THRES: shorter intervals do not dictate the start spread. */
const SPREAD_MIN_INTER = 1000

export interface HealthMonitorOptions<S extends CheckedServer> {
  readonly backend: BackendPlan
  readonly servers: readonly S[]
  readonly clock: Clock
  readonly timers: TimerSource
  readonly probers: ProberTable
  /** called on UP/DOWN transitions only */
  readonly onChange: (server: S, ev: CheckTransition) => void
  /** called after every completed probe (log-health-checks lines, stats refresh) */
  readonly onCheck?: (server: S, result: ProbeResult, view: CheckView) => void
  /** called when an agent answered (weight / admin words for the integrator to apply) */
  readonly onAgent?: (server: S, result: ProbeResult) => void
  /** global spread-checks percentage (0 = none) */
  readonly spreadChecks?: number
  /** first-check spreading across every monitor of the process (HAProxy spreads all
   *  checks of all proxies): this backend's first slot, the total number of checks
   *  and the smallest interval >= 1s among them; default: this backend alone */
  readonly startSlots?: { readonly first: number; readonly total: number; readonly minInter: number }
  readonly random?: () => number
}

interface Entry<S> {
  readonly server: S
  readonly cfg: CheckServerPlan
  readonly probe: Probe
  /** where the probes go: rebuilt (targetOf) when an address below changes */
  target: ProbeTarget
  /** the server's address, which `set server addr` moves */
  srvHost: string
  srvPort: number
  /** the checks' own address and port (config `addr`/`port`, `set server check-addr/check-port`); ''/0: the server's */
  checkAddr: string
  checkPort: number
  /** the agent's address, port and text (config `addr`/`port`/`agent-*`, `set server agent-*`) */
  agentAddr: string
  agentPort: number
  agentSend: string
  state: HealthState
  /** last agent verdict: false after "down"/"stopped"/"fail" until "up" */
  agentUp: boolean
  paused: boolean
  /** health checks / agent stopped from the stats page (HAProxy CHK_ST_ENABLED cleared) */
  checkOff: boolean
  agentOff: boolean
  timer: Timer | null
  agentTimer: Timer | null
  running: AbortController | null
  agentRunning: AbortController | null
  last: ProbeResult
  lastAgent: ProbeResult
  lastChange: number
  failedChecks: number
  downTransitions: number
}

const INITIAL: ProbeResult = { status: 'INI', code: 0, info: '', durationMs: -1 }

/** Runs the health checks of one backend's servers (HAProxy check.c's task side).
 *  Each server has one timer: a check runs, its result moves the health counter,
 *  and the next check is set <interval> after the end of this one. */
export class HealthMonitor<S extends CheckedServer> {
  private readonly entries: Entry<S>[] = []
  private readonly byServer = new Map<S, Entry<S>>()
  private stopped = false

  constructor (private readonly o: HealthMonitorOptions<S>) {
    for (const server of o.servers) {
      const cfg = server.plan.check
      if (!cfg.enabled) continue
      const entry: Entry<S> = {
        server, cfg,
        target: { host: '', port: 0, connectMs: 0, exchangeMs: null },
        srvHost: server.plan.host,
        srvPort: server.plan.port,
        checkAddr: cfg.addr,
        checkPort: cfg.port,
        // HAProxy's `addr` and `port` server keywords set the agent's address and (unless agent-port) port too
        agentAddr: cfg.addr,
        agentPort: cfg.agent?.port || cfg.port,
        agentSend: cfg.agent?.send ?? '',
        probe: o.probers[o.backend.check.kind] ?? o.probers.tcp ?? tcpProbe,
        state: initialHealth(cfg, server.plan.disabled),
        agentUp: true,
        paused: server.plan.disabled,
        checkOff: false,
        agentOff: false,
        timer: null, agentTimer: null, running: null, agentRunning: null,
        last: INITIAL,
        lastAgent: INITIAL,
        lastChange: o.clock.now(),
        failedChecks: 0,
        downTransitions: 0
      }
      entry.target = this.targetOf(entry)
      this.entries.push(entry)
      this.byServer.set(server, entry)
    }
  }

  /** Where <e>'s probes go: the checks' own address and port, else the server's. */
  private targetOf (e: Entry<S>): ProbeTarget {
    const to = this.o.backend.timeouts
    const plan = e.server.plan
    return {
      host: ownAddress(e.checkAddr) ? e.checkAddr : e.srvHost,
      port: e.checkPort || e.srvPort,
      // timeout check: connect within min(inter, timeout connect), then <timeout check>;
      // without it the whole check must fit in <inter>.
      connectMs: to.check && to.connect ? Math.min(e.cfg.inter, to.connect) : e.cfg.inter,
      exchangeMs: to.check ? to.check : null,
      localAddress: plan.source?.addr,
      // HAProxy: `check-ssl`, or a `ssl` server whose checks go to its own port
      tls: plan.checkTls ?? (e.checkPort === 0 ? plan.tls : undefined)
    }
  }

  /** Number of checks this monitor runs (for startSlots of the next monitor). */
  get checkCount (): number {
    return this.entries.length + this.entries.filter(e => e.cfg.agent !== null).length
  }

  /** Smallest interval >= 1s of this monitor's checks, 0 if none (for startSlots). */
  get minSpreadInterval (): number {
    let min = 0
    for (const e of this.entries) {
      const i = checkInterval(e.state, e.cfg)
      if (i >= SPREAD_MIN_INTER && (min === 0 || i < min)) min = i
    }
    return min
  }

  /** Arms every check, spread over the smallest interval (start_check_task). */
  start (): void {
    const slots = this.o.startSlots ?? { first: 0, total: this.checkCount, minInter: this.minSpreadInterval }
    let pos = slots.first
    for (const e of this.entries) {
      if (e.paused) { pos += e.cfg.agent !== null ? 2 : 1; continue }
      e.timer = this.o.timers.after(firstCheckDelay(checkInterval(e.state, e.cfg), slots.minInter, pos++, slots.total), () => { this.runCheck(e) })
      const agent = e.cfg.agent
      if (agent !== null) {
        const inter = agent.inter || e.cfg.inter
        e.agentTimer = this.o.timers.after(firstCheckDelay(inter, slots.minInter, pos++, slots.total), () => { this.runAgent(e) })
      }
    }
  }

  /** Cancels every timer and in-flight probe; no callback fires afterwards. */
  stop (): void {
    this.stopped = true
    for (const e of this.entries) this.halt(e)
  }

  /** Maintenance: checks stop and the health drops to 0 (HAProxy CHK_ST_PAUSED). */
  pause (server: S): void {
    const e = this.byServer.get(server)
    if (e === undefined || e.paused) return
    e.paused = true
    this.halt(e)
    e.state = { health: 0, up: false }
  }

  /** Leaving maintenance: "start OK but check immediately" — the server counts as
   *  UP with health = rise, so one failure brings it down. WHY not at once: HAProxy's
   *  check task keeps its schedule while paused, the next check comes at its time. */
  resume (server: S): void {
    const e = this.byServer.get(server)
    if (e === undefined || !e.paused || this.stopped) return
    e.paused = false
    e.state = resumedHealth(e.cfg)
    e.agentUp = true
    if (!e.checkOff) e.timer = this.o.timers.after(checkInterval(e.state, e.cfg), () => { this.runCheck(e) })
    if (e.cfg.agent !== null && !e.agentOff) e.agentTimer = this.o.timers.after(0, () => { this.runAgent(e) })
  }

  /** The runtime's hold on <server>'s checks, null when it is not checked. */
  control (server: S): CheckControl | null {
    const e = this.byServer.get(server)
    if (e === undefined) return null
    const top = e.cfg.rise + e.cfg.fall - 1
    return {
      hasAgent: e.cfg.agent !== null,
      maintenance: on => { if (on) this.pause(server); else this.resume(server) },
      agentEnabled: () => e.cfg.agent !== null && !e.agentOff,
      setCheckEnabled: on => {
        if (on === !e.checkOff) return
        e.checkOff = !on
        if (!on) { e.timer?.cancel(); e.timer = null; e.running?.abort(); e.running = null } else if (!e.paused && !this.stopped) e.timer = this.o.timers.after(checkInterval(e.state, e.cfg), () => { this.runCheck(e) })
      },
      setAgentEnabled: on => {
        const agent = e.cfg.agent
        if (agent === null || on === !e.agentOff) return
        e.agentOff = !on
        if (!on) { e.agentTimer?.cancel(); e.agentTimer = null; e.agentRunning?.abort(); e.agentRunning = null } else if (!e.paused && !this.stopped) e.agentTimer = this.o.timers.after(agent.inter || e.cfg.inter, () => { this.runAgent(e) })
      },
      forceHealth: up => { e.state = { health: up ? top : 0, up }; e.lastChange = this.o.clock.now() },
      forceAgent: up => { e.agentUp = up; e.lastChange = this.o.clock.now() },
      // the next probe goes to the new place (one running finishes where it started)
      serverMoved: (host, port) => { e.srvHost = host; e.srvPort = port; e.target = this.targetOf(e) },
      setCheckPort: port => { e.checkPort = port; e.target = this.targetOf(e) },
      setCheckAddr: addr => { e.checkAddr = addr; e.target = this.targetOf(e) },
      setAgentAddr: addr => { e.agentAddr = addr },
      setAgentPort: port => { e.agentPort = port },
      setAgentSend: text => { e.agentSend = text }
    }
  }

  /** True when <server> is checked and currently UP for the checks. */
  isUp (server: S): boolean {
    const e = this.byServer.get(server)
    return e === undefined ? !server.plan.disabled : !e.paused && e.state.up && e.agentUp
  }

  status (): CheckView[] {
    return this.entries.map(e => this.view(e))
  }

  /** Check state of <server> now, null when it is not checked. */
  viewOf (server: S): CheckView | null {
    const e = this.byServer.get(server)
    return e === undefined ? null : this.view(e)
  }

  private view (e: Entry<S>): CheckView {
    return {
      name: e.server.name,
      enabled: !e.checkOff,
      paused: e.paused,
      up: !e.paused && e.state.up && e.agentUp,
      health: e.state.health,
      rise: e.cfg.rise,
      fall: e.cfg.fall,
      lastStatus: e.last.status,
      lastCode: e.last.code,
      lastInfo: e.last.info,
      lastDurationMs: e.last.durationMs,
      lastChange: e.lastChange,
      failedChecks: e.failedChecks,
      downTransitions: e.downTransitions,
      inProgress: e.running !== null,
      checkAddr: e.checkAddr,
      checkPort: e.checkPort,
      agentAddr: e.agentAddr,
      agentPort: e.agentPort,
      agent: e.cfg.agent === null ? null : { enabled: !e.agentOff, up: e.agentUp, inProgress: e.agentRunning !== null, last: e.lastAgent }
    }
  }

  private halt (e: Entry<S>): void {
    e.timer?.cancel(); e.timer = null
    e.agentTimer?.cancel(); e.agentTimer = null
    e.running?.abort(); e.running = null
    e.agentRunning?.abort(); e.agentRunning = null
  }

  private runCheck (e: Entry<S>): void {
    e.timer = null
    const ctl = new AbortController()
    e.running = ctl
    e.probe.run(e.target, this.o.backend.check, ctl.signal).then(
      result => { if (!ctl.signal.aborted) this.onResult(e, result) },
      (err: unknown) => {
        if (!ctl.signal.aborted) this.onResult(e, { status: 'SOCKERR', code: 0, info: String(err), durationMs: 0 })
      })
  }

  private onResult (e: Entry<S>, result: ProbeResult): void {
    e.running = null
    const wasUp = e.state.up && e.agentUp
    const outcome = CHECK_STATUSES[result.status].outcome
    const step = applyOutcome(e.state, e.cfg, outcome)
    if (step.counted && outcome === 'failed') e.failedChecks++
    e.state = step.state
    e.last = result
    this.settle(e, wasUp, result)
    this.o.onCheck?.(e.server, result, this.view(e))
    if (this.stopped || e.paused || e.checkOff) return
    const inter = checkInterval(e.state, e.cfg)
    const next = inter + spreadJitter(inter, this.o.spreadChecks ?? 0, this.o.random ?? Math.random)
    e.timer = this.o.timers.after(next, () => { this.runCheck(e) })
  }

  /** Reports an UP/DOWN change of the server as seen by both check and agent. */
  private settle (e: Entry<S>, wasUp: boolean, result: ProbeResult): void {
    const isUp = e.state.up && e.agentUp
    if (isUp === wasUp) return
    e.lastChange = this.o.clock.now()
    if (!isUp) e.downTransitions++
    this.o.onChange(e.server, {
      up: isUp,
      reason: CHECK_STATUSES[result.status].reason,
      checkStatus: result.status,
      code: result.code,
      info: result.info,
      durationMs: result.durationMs
    })
  }

  /** agent-check: only an explicit "down"/"up" word moves the server; a failure
   *  to reach the agent changes nothing (HAProxy check_notify_failure on agents). */
  private runAgent (e: Entry<S>): void {
    e.agentTimer = null
    const agent = e.cfg.agent
    if (agent === null) return
    const ctl = new AbortController()
    e.agentRunning = ctl
    const target: ProbeTarget = { ...e.target, host: ownAddress(e.agentAddr) ? e.agentAddr : e.srvHost, port: e.agentPort }
    runAgentCheck(target, e.agentSend, ctl.signal).then(result => {
      if (ctl.signal.aborted) return
      e.agentRunning = null
      e.lastAgent = result
      const wasUp = e.state.up && e.agentUp
      if (result.agent?.health === 'down') e.agentUp = false
      else if (result.agent?.health === 'up') e.agentUp = true
      this.settle(e, wasUp, result)
      this.o.onAgent?.(e.server, result)
      if (this.stopped || e.paused || e.agentOff) return
      e.agentTimer = this.o.timers.after(agent.inter || e.cfg.inter, () => { this.runAgent(e) })
    }, () => {})
  }
}

/** A check or agent address of its own: the any-address is HAProxy's "none"
 *  (shown as set, but the server's address is used). */
function ownAddress (addr: string): boolean { return addr !== '' && addr !== '0.0.0.0' && addr !== '::' }
