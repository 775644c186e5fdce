/** keepalived checkers run on pocketlb's check engine (checks/scheduler.ts): one
 *  HealthMonitor per checker of a real server, with keepalived's semantics mapped
 *  onto HAProxy's health counter:
 *    delay_loop         → inter (and downinter)
 *    delay_before_retry → fastinter (the pace while a failing server is retried)
 *    retry              → fall = retry + 1 (the first failure plus <retry> retries)
 *    first success      → up (rise 1)
 *    connect_timeout    → the probe's connect and exchange deadline.
 *  A real server is up while every one of its checkers is up; a MISC_CHECK with
 *  misc_dynamic also sets its weight (exit status − 2) while it is up. */
import type { Clock, TimerSource } from '../core/clock.ts'
import type { BackendPlan, CheckPlan, ServerPlan, Timeouts } from '../config/plan.ts'
import type { CheckTransition, CheckView, Probe } from '../checks/types.ts'
import { HealthMonitor } from '../checks/scheduler.ts'
import { tcpProbe } from '../checks/probes/tcp.ts'
import type { L4CheckerPlan, RealServerPlan, VirtualServerPlan } from './plan.ts'
import { httpGetProbe } from './probe-http-get.ts'
import { dynamicWeight, miscProbe } from './probe-misc.ts'

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

export interface RealServerHealth {
  readonly vs: VirtualServerPlan
  readonly rs: RealServerPlan
  /** the checkers' views, for the status snapshot */
  views (): CheckView[]
  readonly up: boolean
  /** the weight it has while up: the configured one, or the last misc_dynamic one */
  readonly weight: number
}

export interface L4HealthOptions {
  readonly clock: Clock
  readonly timers: TimerSource
  /** called when a real server's aggregated state changes */
  readonly onChange: (h: RealServerHealth, ev: CheckTransition, checker: string) => void
  /** called when a misc_dynamic result changes a real server's weight */
  readonly onWeight: (h: RealServerHealth, from: number, to: number, why: string) => void
}

/** Health of every real server of <services>; start() arms the checks. */
export class L4Health {
  readonly servers: RealServerHealth[] = []
  private readonly monitors: HealthMonitor<{ name: string; plan: ServerPlan }>[] = []

  constructor (services: readonly VirtualServerPlan[], o: L4HealthOptions) {
    for (const vs of services) {
      for (const rs of vs.realServers) {
        const mine: HealthMonitor<{ name: string; plan: ServerPlan }>[] = []
        let dynamic: number | null = null
        const h: RealServerHealth = {
          vs, rs,
          views: () => mine.flatMap(m => m.status()),
          get up () { return mine.every(m => m.status().every(v => v.up)) },
          get weight () { return dynamic ?? rs.weight }
        }
        let wasUp = true
        rs.checkers.forEach((c, i) => {
          const { backend, server } = checkerBackend(vs, rs, c, i)
          const entry = { name: server.name, plan: server }
          const mon = new HealthMonitor({
            backend, servers: [entry], clock: o.clock, timers: o.timers, probers: { tcp: probeOf(c) },
            onChange: (_s, ev) => {
              const now = h.up
              if (now !== wasUp) o.onChange(h, ev, CHECKER_NAMES[c.kind])
              wasUp = now
            },
            onCheck: c.miscDynamic
              ? (_s, result) => {
                  const w = dynamicWeight(result)
                  if (w === null || w === h.weight) return
                  const from = h.weight
                  dynamic = w
                  o.onWeight(h, from, w, result.info)
                }
              : undefined
          })
          mine.push(mon)
        })
        this.monitors.push(...mine)
        this.servers.push(h)
      }
    }
  }

  start (): void { for (const m of this.monitors) m.start() }
  stop (): void { for (const m of this.monitors) m.stop() }
}
