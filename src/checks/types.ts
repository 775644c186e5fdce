import type { BackendPlan, CheckPlan, ServerPlan, ServerTlsPlan } from '../config/plan.ts'

/** Contract of the health-check engine (HAProxy check.c + tcpcheck.c).
 *  Probes are effectful (sockets) and return one ProbeResult per run; the
 *  health counter (state.ts) and the scheduler (scheduler.ts) only see results. */

/** HAProxy's check status codes as shown in `show stat` (check_status column). */
export type CheckStatusCode =
  | 'UNK' | 'INI' | 'CHECKED' | 'SOCKERR'
  | 'L4OK' | 'L4TOUT' | 'L4CON'
  | 'L6OK' | 'L6TOUT' | 'L6RSP'
  | 'L7OK' | 'L7OKC' | 'L7TOUT' | 'L7RSP' | 'L7STS'

/** What a check result does to the health counter (HAProxy CHK_RES_*). */
export type CheckOutcome = 'passed' | 'condpass' | 'failed' | 'neutral'

/** What the agent answered (agent-check), applied by the scheduler's owner. */
export interface AgentReport {
  /** "up" / "down"|"stopped"|"fail" word, null when absent */
  readonly health: 'up' | 'down' | null
  /** "ready" / "drain" / "maint" word, null when absent */
  readonly admin: 'ready' | 'drain' | 'maint' | null
  /** "<n>%" weight word (percent of the configured weight), null when absent */
  readonly weightPercent: number | null
  /** "maxconn:<n>", null when absent */
  readonly maxconn: number | null
}

export interface ProbeResult {
  readonly status: CheckStatusCode
  /** HTTP status, MySQL error number...; 0 = none (only shown for layer-7 statuses) */
  readonly code: number
  /** HAProxy's check "desc" text ("Connection refused", "Service Unavailable", ...), "" = none */
  readonly info: string
  readonly durationMs: number
  /** agent-check only */
  readonly agent?: AgentReport
}

/** Where and how long a probe may talk. Deadlines follow HAProxy's "timeout check":
 *  the connection must be up within <connectMs>; then the rest of the exchange has
 *  <exchangeMs> from the connect, or (null) what is left of <connectMs>. */
export interface ProbeTarget {
  readonly host: string
  readonly port: number
  readonly connectMs: number
  readonly exchangeMs: number | null
  /** the server's `source` address: checks leave from it as its traffic does */
  readonly localAddress?: string
  /** checks over TLS (`check-ssl`, or `ssl` without a check port) */
  readonly tls?: ServerTlsPlan
}

/** One kind of check. <plan> is the backend's CheckPlan; <signal> aborts (stop/pause). */
export interface Probe {
  run (target: ProbeTarget, plan: CheckPlan, signal: AbortSignal): Promise<ProbeResult>
}

/** Probes by CheckPlan kind; kinds without a probe fall back to 'tcp' (connect only). */
export type ProberTable = Partial<Record<CheckPlan['kind'], Probe>>

/** The least the monitor needs from a runtime server object. */
export interface CheckedServer {
  readonly name: string
  readonly plan: ServerPlan
}

/** A state transition reported by the monitor (never one per probe). */
export interface CheckTransition {
  readonly up: boolean
  /** HAProxy's reason text ("Layer4 connection problem") */
  readonly reason: string
  readonly checkStatus: CheckStatusCode
  readonly code: number
  readonly info: string
  readonly durationMs: number
}

/** Per-server check state for stats and the UI (HAProxy check_status, check_health...). */
export interface CheckView {
  readonly name: string
  readonly enabled: boolean
  readonly paused: boolean
  readonly up: boolean
  readonly health: number
  readonly rise: number
  readonly fall: number
  readonly lastStatus: CheckStatusCode
  readonly lastCode: number
  readonly lastInfo: string
  readonly lastDurationMs: number
  /** Clock.now() of the last UP/DOWN change (or of start) */
  readonly lastChange: number
  /** number of failed checks counted against the health (HAProxy chkfail) */
  readonly failedChecks: number
  /** UP→DOWN transitions (HAProxy chkdown) */
  readonly downTransitions: number
  /** a probe is running now (HAProxy shows "* " before check_status) */
  readonly inProgress: boolean
  /** the checks' own address and port (config, or set from the runtime API); ''/0: the server's */
  readonly checkAddr: string
  readonly checkPort: number
  /** the agent's address and port (config, or set from the runtime API) */
  readonly agentAddr: string
  readonly agentPort: number
  /** agent-check state, null without `agent-check` */
  readonly agent: AgentView | null
}

/** What the runtime may do to one checked server's checks (the stats page's
 *  health and agent actions). Forcing sets the health counter only: the caller
 *  applies the server's new state. */
export interface CheckControl {
  /** false when the server has no `agent-check` */
  readonly hasAgent: boolean
  agentEnabled (): boolean
  /** entering maintenance pauses the checks (health 0); leaving it restarts them
   *  at once with the server up at health <rise> (HAProxy "start OK but check immediately") */
  maintenance (on: boolean): void
  /** stops or restarts the health checks; the server keeps its state */
  setCheckEnabled (on: boolean): void
  setAgentEnabled (on: boolean): void
  /** health counter to rise+fall-1 (up) or 0 (down) */
  forceHealth (up: boolean): void
  /** the agent's verdict, as if it had answered "up" or "down" */
  forceAgent (up: boolean): void
  /** the server's address changed (`set server addr`): checks without their own follow it */
  serverMoved (host: string, port: number): void
  /** `set server check-port` / `check-addr`: the checks' own port / address (0/'': the server's) */
  setCheckPort (port: number): void
  setCheckAddr (addr: string): void
  /** `set server agent-addr / agent-port / agent-send` */
  setAgentAddr (addr: string): void
  setAgentPort (port: number): void
  setAgentSend (text: string): void
}

/** The agent's side of a server's check state (HAProxy agent_* stats columns). */
export interface AgentView {
  /** false while stopped from the runtime (`disable agent`, the stats page) */
  readonly enabled: boolean
  /** false after the agent said "down"/"stopped"/"fail", until it says "up" */
  readonly up: boolean
  readonly inProgress: boolean
  /** last agent run ('INI' before the first) */
  readonly last: ProbeResult
}

export type { BackendPlan }
