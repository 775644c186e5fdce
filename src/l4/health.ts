/** keepalived checkers run on pocketlb's check engine (checks/scheduler.ts): one
 *  HealthMonitor per checker of a real server, with keepalived's semantics mapped
 *  onto HAProxy's health counter:
 *    delay_loop         → inter (and downinter)
 *    delay_before_retry → fastinter (the pace while a failing server is retried)
 *    retry              → fall = retry + 1 (the first failure plus <retry> retries)
 *    first success      → up (rise 1)
 *    alpha              → the checker starts failed (a server starts up otherwise)
 *    connect_timeout    → the probe's connect and exchange deadline.
 *  A real server is up while every one of its checkers is up; a MISC_CHECK with
 *  misc_dynamic also sets its weight (exit status − 2) while it is up.
 *  change() moves the set to a reloaded configuration, keeping what stays. */
import type { Clock, TimerSource } from '../core/clock.ts'
import type { BackendPlan, CheckPlan, ServerPlan, Timeouts } from '../config/plan.ts'
import type { CheckControl, CheckTransition, CheckView, Probe } from '../checks/types.ts'
import { HealthMonitor } from '../checks/scheduler.ts'
import { tcpProbe } from '../checks/probes/tcp.ts'
import type { L4CheckerPlan, RealServerPlan, VirtualServerPlan } from './plan.ts'
import { httpGetProbe } from './probe-http-get.ts'
import { dynamicWeight, miscProbe } from './probe-misc.ts'
import { realServerId, type ServiceState } from './nft-ruleset.ts'

/** keepalived's name of each checker kind, as its logs and `show l4` write it */
export const CHECKER_NAMES: Readonly<Record<L4CheckerPlan['kind'], string>> = { tcp: 'TCP_CHECK', http: 'HTTP_GET', ssl: 'SSL_GET', misc: 'MISC_CHECK' }

function probeOf (c: L4CheckerPlan): Probe {
  switch (c.kind) {
    case 'tcp': return tcpProbe
    case 'http': return httpGetProbe(c.urls, false)
    case 'ssl': return httpGetProbe(c.urls, true)
    case 'misc': return miscProbe(c.miscPath, c.miscTimeout, c.miscDynamic)
  }
}

const NO_TIMEOUTS: Timeouts = { client: 0, server: 0, connect: 0, httpRequest: 0, httpKeepAlive: 0, queue: 0, tunnel: 0, clientFin: 0, serverFin: 0, check: 0, tarpit: 0 }
const CONNECT_CHECK: CheckPlan = { kind: 'tcp', httpMethod: '', httpUri: '', httpVersion: '', httpExtra: '', steps: [], logHealthChecks: false }

/** The one-server backend a checker runs as: a TCP-mode backend whose only
 *  meaningful parts for the monitor are its check timeouts and its server. */
function checkerBackend (vs: VirtualServerPlan, rs: RealServerPlan, c: L4CheckerPlan, index: number): { backend: BackendPlan; server: ServerPlan } {
  const name = `${vs.name}/${rs.addr}:${rs.port}/${CHECKER_NAMES[c.kind]}${index ? `#${index + 1}` : ''}`
  const server: ServerPlan = {
    name, id: 1, host: rs.addr, port: rs.port, unixPath: '', weight: rs.weight, maxconn: 0, maxqueue: 0, minconn: 0,
    backup: false, disabled: false, cookie: null, source: null, sendProxy: 0, ssl: false, sslWords: [],
    onMarkedDown: 'none', onMarkedUp: 'none', slowstart: 0, where: c.where,
    check: {
      enabled: true, inter: c.delayLoop, fastinter: c.delayBeforeRetry || c.delayLoop, downinter: c.delayLoop,
      rise: 1, fall: c.retry + 1, port: c.connectPort, addr: c.connectIp, agent: null, checkSsl: c.kind === 'ssl'
    }
  }
  const backend: BackendPlan = {
    name, id: 0, mode: 'tcp', timeouts: { ...NO_TIMEOUTS, connect: c.connectTimeout, check: c.connectTimeout },
    httpConnMode: 'close', forwardFor: null, logs: [], logFormat: null, dontlognull: false, logSeparateErrors: false,
    errorfiles: new Map(), httpRequestRules: [], httpResponseRules: [], httpBufferRequest: false, where: c.where,
    isListen: false,
    balance: { algo: 'roundrobin', uriWhole: false, uriPathOnly: false, uriLen: 0, uriDepth: 0, param: '', hdrName: '', hdrDomainOnly: false, draws: 2 },
    hashType: { method: 'map-based', fn: 'sdbm', avalanche: false },
    servers: [server], retries: 0, redispatch: false, redispatchEvery: 1, httpReuse: 'never', cookie: null,
    check: CONNECT_CHECK, fullconn: 0, maxconn: 0, abortonclose: false, persist: false, allbackups: false,
    disabled: false, useServerRules: []
  }
  return { backend, server }
}

export interface L4HealthOptions {
  readonly clock: Clock
  readonly timers: TimerSource
  /** called when a real server's aggregated state changes */
  readonly onChange: (h: RealServerHealth, ev: CheckTransition, checker: string) => void
  /** called when a misc_dynamic result changes a real server's weight */
  readonly onWeight: (h: RealServerHealth, from: number, to: number, why: string) => void
}

/** The checkers of one real server and their combined verdict. A reload that
 *  keeps the server with the same checkers keeps this object (retarget()), so
 *  its state, timers and dynamic weight go on untouched. */
export class RealServerHealth {
  private readonly monitors: HealthMonitor<{ name: string; plan: ServerPlan }>[] = []
  private readonly controls: CheckControl[] = []
  private dynamic: number | null = null
  private wasUp = true
  private started = false
  private suspended = false

  constructor (private service: VirtualServerPlan, private server: RealServerPlan, o: L4HealthOptions) {
    server.checkers.forEach((c, i) => {
      const { backend, server: checked } = checkerBackend(service, server, c, i)
      const watched = { name: checked.name, plan: checked }
      const monitor = new HealthMonitor({
        backend, servers: [watched], clock: o.clock, timers: o.timers, probers: { tcp: probeOf(c) },
        onChange: (_s, ev) => {
          const now = this.up
          if (now !== this.wasUp) o.onChange(this, ev, CHECKER_NAMES[c.kind])
          this.wasUp = now
        },
        onCheck: c.miscDynamic
          ? (_s, result) => {
              const w = dynamicWeight(result)
              if (w === null || w === this.weight) return
              const from = this.weight
              this.dynamic = w
              o.onWeight(this, from, w, result.info)
            }
          : undefined
      })
      // alpha: failed until its first success (rise 1), so that success brings the server up
      const control = monitor.control(watched)!
      if (c.alpha === true) control.forceHealth(false)
      this.monitors.push(monitor)
      this.controls.push(control)
    })
    this.wasUp = this.up
  }

  get vs (): VirtualServerPlan { return this.service }
  get rs (): RealServerPlan { return this.server }
  /** the checkers' views, for the status snapshot */
  views (): CheckView[] { return this.monitors.flatMap(m => m.status()) }
  get up (): boolean { return this.monitors.every(m => m.status().every(v => v.up)) }
  /** the weight it has while up: the configured one, or the last misc_dynamic one */
  get weight (): number { return this.dynamic ?? this.server.weight }
  /** The weight it would have under plan <rs> (a reload keeps a misc_dynamic weight, as keepalived keeps effective_weight). */
  weightUnder (rs: RealServerPlan): number { return this.dynamic ?? rs.weight }

  /** True when <rs> has the same checkers (where they are written aside), so these monitors can serve it. */
  sameCheckers (rs: RealServerPlan): boolean { return checkersText(rs) === checkersText(this.server) }

  /** Serves <rs> of <vs> from now on (same address and checkers: see sameCheckers). */
  retarget (vs: VirtualServerPlan, rs: RealServerPlan): void { this.service = vs; this.server = rs }

  start (): void {
    this.started = true
    for (const m of this.monitors) m.start()
    if (this.suspended) for (const c of this.controls) c.setCheckEnabled(false)
  }

  stop (): void { for (const m of this.monitors) m.stop() }

  /** ha_suspend: checks held (the state kept) while <on>; true when that changed. */
  suspend (on: boolean): boolean {
    if (on === this.suspended) return false
    this.suspended = on
    if (this.started) for (const c of this.controls) c.setCheckEnabled(!on)
    return true
  }
}

const checkersText = (rs: RealServerPlan): string => JSON.stringify(rs.checkers.map(({ where: _where, ...c }) => c))

/** Identity of real server <rs> of <vs> across reloads (keepalived: same VS, same address and port). */
export const healthKey = (vs: VirtualServerPlan, rs: RealServerPlan): string => `${vs.key} ${realServerId(rs)}`

/** What a reload to new services does to the health of their real servers; nothing
 *  is started or stopped until commit(). */
export interface HealthChange {
  /** the state of <vs> (a service of the new plans) once committed: each real server's weight
   *  (0 = not chosen) and the ones down */
  state (vs: VirtualServerPlan): ServiceState
  /** real servers gone from the configuration (their service stays or goes) */
  readonly removed: readonly RealServerHealth[]
  /** stops the removed checkers, starts the new ones (when running), retargets the kept ones */
  commit (): void
}

/** Health of every real server of <services>; start() arms the checks. */
export class L4Health {
  private byKey = new Map<string, RealServerHealth>()
  private running = false

  constructor (services: readonly VirtualServerPlan[], private readonly o: L4HealthOptions) {
    for (const vs of services) for (const rs of vs.realServers) this.byKey.set(healthKey(vs, rs), new RealServerHealth(vs, rs, o))
  }

  get servers (): RealServerHealth[] { return [...this.byKey.values()] }

  start (): void { this.running = true; for (const h of this.byKey.values()) h.start() }
  stop (): void { this.running = false; for (const h of this.byKey.values()) h.stop() }

  /** The change to <services>: a real server kept (same service key, address, port
   *  and checkers) keeps its state; a new one starts as at start (up, or down
   *  until its first success with `alpha`); the others go. */
  change (services: readonly VirtualServerPlan[]): HealthChange {
    const next = new Map<string, { h: RealServerHealth; kept: boolean; vs: VirtualServerPlan; rs: RealServerPlan }>()
    for (const vs of services) {
      for (const rs of vs.realServers) {
        const key = healthKey(vs, rs)
        const old = this.byKey.get(key)
        const kept = old !== undefined && old.sameCheckers(rs)
        next.set(key, { h: kept ? old : new RealServerHealth(vs, rs, this.o), kept, vs, rs })
      }
    }
    const removed = [...this.byKey].filter(([key]) => !next.has(key)).map(([, h]) => h)
    // same server, other checkers: its old checks end too
    const replaced = [...this.byKey].filter(([key, h]) => next.has(key) && next.get(key)!.h !== h).map(([, h]) => h)
    return {
      removed,
      state: vs => {
        const weights = new Map<string, number>(); const down = new Set<string>()
        for (const rs of vs.realServers) {
          const n = next.get(healthKey(vs, rs))!
          const up = n.h.up
          weights.set(realServerId(rs), !up ? 0 : n.kept ? n.h.weightUnder(rs) : rs.weight)
          if (!up) down.add(realServerId(rs))
        }
        return { plan: vs, weights, down }
      },
      commit: () => {
        for (const h of [...removed, ...replaced]) h.stop()
        this.byKey = new Map([...next].map(([key, n]) => [key, n.h]))
        for (const n of next.values()) {
          if (n.kept) n.h.retarget(n.vs, n.rs)
          else if (this.running) n.h.start()
        }
      }
    }
  }
}
