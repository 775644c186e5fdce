import type { Where } from '../core/where.ts'
import type { HttpRule, Predicate, Template } from '../rules/types.ts'
import type {
  BalancePlan, BindPlan, CaptureCookiePlan, CapturePlan, CheckStep, CookiePlan, ForwardFor, HashTypePlan, LogTarget,
  PersistRulePlan, ServerTlsPlan, SourcePlan, StatsPagePlan, StickRulePlan, Timeouts
} from './plan.ts'
import type { TcpRule } from '../rules/tcp-rules.ts'

/** Mutable working copies filled by the keyword parsers, turned into the
 *  frozen Plan by compile.ts. A `defaults` section is a ProxyDraft too: a new
 *  proxy starts as a copy of its defaults' inheritable fields (inherit()). */

/** Proxy capabilities (HAProxy PR_CAP_*): what a section may contain. */
export const Cap = { Def: 1, Fe: 2, Be: 4 } as const

export type SectionKind = 'defaults' | 'frontend' | 'backend' | 'listen'

export const CAPS_OF: Readonly<Record<SectionKind, number>> = {
  defaults: Cap.Def | Cap.Fe | Cap.Be, frontend: Cap.Fe, backend: Cap.Be, listen: Cap.Fe | Cap.Be
}

/** `log` line of a proxy before `log global` is expanded. */
export type LogDraft = LogTarget | { readonly global: true; readonly where: Where }

/** Server settings that `default-server` may preset (everything but name/address). */
export interface ServerSettings {
  weight: number
  maxconn: number
  maxqueue: number
  minconn: number
  backup: boolean
  disabled: boolean
  cookie: string | null
  source: SourcePlan | null
  check: boolean
  inter: number
  fastinter: number
  downinter: number
  rise: number
  fall: number
  checkPort: number
  checkAddr: string
  checkSsl: boolean
  agent: boolean
  agentPort: number
  agentInter: number
  agentSend: string
  sendProxy: 0 | 1 | 2
  ssl: boolean
  sslWords: string[]
  onMarkedDown: 'none' | 'shutdown-sessions'
  onMarkedUp: 'none' | 'shutdown-backup-sessions'
  slowstart: number
}

export interface ServerDraft extends ServerSettings {
  name: string
  /** explicit `id`, 0 = assigned at compile time */
  id: number
  host: string
  port: number
  unixPath: string
  where: Where
  /** compiled `ssl` / `check-ssl` settings (src/tls/server-words.ts) */
  tls?: ServerTlsPlan
  checkTls?: ServerTlsPlan
  /** TLS error HAProxy reports after parsing (verify without CA): compile.ts raises it */
  tlsLateAlert?: string
}

/** `http-check`/`tcp-check`/`option xxx-check` state of a proxy. */
export interface CheckDraft {
  kind: 'tcp' | 'http' | 'tcp-check' | 'redis' | 'mysql' | 'ssl-hello' | 'smtp' | 'pgsql' | 'ldap'
  httpMethod: string
  httpUri: string
  httpVersion: string
  httpExtra: string
  steps: CheckStep[]
  logHealthChecks: boolean
  protocolArg: string
}

export interface ProxyDraft {
  kind: SectionKind
  name: string
  caps: number
  where: Where
  mode: 'http' | 'tcp'
  timeouts: { -readonly [K in keyof Timeouts]: number }
  /** last of `option httpclose|http-server-close|http-keep-alive` set, null = default */
  connOption: 'keep-alive' | 'server-close' | 'close' | null
  forwardFor: ForwardFor | null
  logs: LogDraft[]
  logFormat: string | null
  dontlognull: boolean
  logSeparateErrors: boolean
  errorfiles: Map<number, Buffer>
  httpBufferRequest: boolean
  maxconn: number
  backlog: number
  retries: number
  redispatch: boolean
  redispatchEvery: number
  httpReuse: 'never' | 'safe' | 'aggressive' | 'always'
  cookie: CookiePlan | null
  check: CheckDraft
  balance: BalancePlan
  hashType: HashTypePlan
  fullconn: number
  abortonclose: boolean
  persist: boolean
  allbackups: boolean
  disabled: boolean
  monitorUri: string | null
  statsPage: StatsPagePlan | null
  defaultServer: ServerSettings
  defaultBackend: string | null
  defaultBackendWhere: Where | null
  // per-proxy lists below are never inherited from defaults
  binds: BindPlan[]
  acls: Map<string, Predicate>
  captures: CapturePlan[]
  responseCaptures: CapturePlan[]
  captureCookie: CaptureCookiePlan | null
  switchRules: { backend: string | null; dynamic: Template | null; cond: Predicate | null; where: Where }[]
  /** `monitor fail` conditions: any true makes the monitor-uri answer 503 */
  monitorFail: Predicate[]
  httpRequestRules: HttpRule[]
  httpResponseRules: HttpRule[]
  tcpRequestRules: HttpRule[]
  servers: ServerDraft[]
  useServerRules: { server: string; cond: Predicate | null; where: Where }[]
  stickRules: StickRulePlan[]
  persistRules: PersistRulePlan[]
  tcpRequest: { inspectDelay: number; connection: TcpRule[]; session: TcpRule[]; content: TcpRule[] }
  tcpResponse: { inspectDelay: number; content: TcpRule[] }
}

export const DEFAULT_BALANCE: BalancePlan = {
  algo: 'roundrobin', uriWhole: false, uriPathOnly: false, uriLen: 0, uriDepth: 0,
  param: '', hdrName: '', hdrDomainOnly: false, draws: 2
}

export function newServerSettings (): ServerSettings {
  return {
    weight: 1, maxconn: 0, maxqueue: 0, minconn: 0, backup: false, disabled: false, cookie: null, source: null,
    check: false, inter: 2000, fastinter: 0, downinter: 0, rise: 2, fall: 3, checkPort: 0, checkAddr: '',
    checkSsl: false, agent: false, agentPort: 0, agentInter: 0, agentSend: '', sendProxy: 0, ssl: false,
    sslWords: [], onMarkedDown: 'none', onMarkedUp: 'none', slowstart: 0
  }
}

export function newCheckDraft (): CheckDraft {
  return { kind: 'tcp', httpMethod: 'OPTIONS', httpUri: '/', httpVersion: 'HTTP/1.0', httpExtra: '', steps: [], logHealthChecks: false, protocolArg: '' }
}

/** A fresh `defaults` section with HAProxy's built-in values. */
export function newDefaults (name: string, where: Where): ProxyDraft {
  return {
    kind: 'defaults', name, caps: CAPS_OF.defaults, where, mode: 'tcp',
    timeouts: { client: 0, server: 0, connect: 0, httpRequest: 0, httpKeepAlive: 0, queue: 0, tunnel: 0, clientFin: 0, serverFin: 0, check: 0, tarpit: 0 },
    connOption: null, forwardFor: null, logs: [], logFormat: null, dontlognull: false, logSeparateErrors: false,
    errorfiles: new Map(), httpBufferRequest: false, maxconn: 0, backlog: 0, retries: 3, redispatch: false,
    redispatchEvery: 1, httpReuse: 'safe', cookie: null, check: newCheckDraft(), balance: DEFAULT_BALANCE,
    hashType: { method: 'map-based', fn: 'sdbm', avalanche: false }, fullconn: 0, abortonclose: false,
    persist: false, allbackups: false, disabled: false, monitorUri: null, statsPage: null,
    defaultServer: newServerSettings(), defaultBackend: null, defaultBackendWhere: null,
    binds: [], acls: new Map(), captures: [], responseCaptures: [], captureCookie: null, switchRules: [], monitorFail: [], httpRequestRules: [],
    httpResponseRules: [], tcpRequestRules: [], servers: [], useServerRules: [], stickRules: [], persistRules: [],
    tcpRequest: { inspectDelay: 0, connection: [], session: [], content: [] },
    tcpResponse: { inspectDelay: 0, content: [] }
  }
}

/** New proxy <name> of <kind> starting from <defaults>' inheritable settings
 *  (HAProxy proxy_preset_defaults + copy of the defaults proxy). Per-proxy
 *  lists (binds, ACLs, rules, servers) start empty. */
export function inherit (defaults: ProxyDraft, kind: SectionKind, name: string, where: Where): ProxyDraft {
  const d = defaults
  const p = newDefaults(name, where)
  return {
    ...p,
    kind, name, caps: CAPS_OF[kind], where,
    mode: d.mode, timeouts: { ...d.timeouts }, connOption: d.connOption, forwardFor: d.forwardFor,
    logs: [...d.logs], logFormat: d.logFormat, dontlognull: d.dontlognull, logSeparateErrors: d.logSeparateErrors,
    errorfiles: new Map(d.errorfiles), httpBufferRequest: d.httpBufferRequest, maxconn: d.maxconn, backlog: d.backlog,
    retries: d.retries, redispatch: d.redispatch, redispatchEvery: d.redispatchEvery, httpReuse: d.httpReuse,
    cookie: d.cookie, check: { ...d.check, steps: [...d.check.steps] }, balance: d.balance, hashType: d.hashType,
    fullconn: d.fullconn, abortonclose: d.abortonclose, persist: d.persist, allbackups: d.allbackups,
    monitorUri: d.monitorUri, statsPage: d.statsPage,
    defaultServer: { ...d.defaultServer, sslWords: [...d.defaultServer.sslWords] },
    defaultBackend: d.defaultBackend, defaultBackendWhere: d.defaultBackendWhere
  }
}

export function sectionLabel (p: ProxyDraft): string { return `${p.kind} '${p.name}'` }
