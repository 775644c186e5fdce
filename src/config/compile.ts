import type { Where } from '../core/where.ts'
import type { BackendPlan, CheckServerPlan, FrontendPlan, GlobalPlan, LogTarget, Plan, ProxyCommon, ServerPlan } from './plan.ts'
import type { ProxyDraft, ServerDraft } from './draft.ts'
import { Cap } from './draft.ts'
import type { GlobalDraft } from './keywords/types.ts'
import { located, missingTimeoutsText, type Diagnostics } from './messages.ts'
import { deepFreeze } from './freeze.ts'
import { withHttp1Alpn } from '../tls/http-alpn.ts'
import type { StickTables } from '../rules/stick/tables.ts'
import { DT } from '../rules/stick/data-types.ts'

/** Parsed drafts → frozen Plan (HAProxy check_config_validity): resolves
 *  backend names, `log global`, server ids and check intervals; reports
 *  cross-section errors. Returns null when alerts were raised. */

const HTTP_ONLY_ALGOS: ReadonlySet<string> = new Set(['uri', 'url_param', 'hdr', 'rdp-cookie'])

export function compilePlan (global: GlobalDraft, proxies: readonly ProxyDraft[], diags: Diagnostics, files: readonly string[], tables?: StickTables): Plan | null {
  const byBackendName = new Map<string, ProxyDraft>()
  for (const p of proxies) if (p.caps & Cap.Be) byBackendName.set(p.name, p)
  const ids = new Map<ProxyDraft, number>(proxies.map((p, i) => [p, i + 1]))

  const frontends: FrontendPlan[] = []
  const backends = new Map<string, BackendPlan>()
  for (const p of proxies) {
    if (p.caps & Cap.Fe) checkFrontendTargets(p, byBackendName, diags)
    warnMissingTimeouts(p, diags)
    const common = commonOf(p, ids.get(p) as number, global)
    if ((p.caps & Cap.Fe) !== 0 && p.logFormat !== null && common.logs.length === 0) {
      diags.warnText(`log format ignored for ${p.kind} '${p.name}' since it has no log address.`)
    }
    if (p.caps & Cap.Fe) frontends.push(frontendOf(p, common, global, diags))
    if (p.caps & Cap.Be) {
      const be = backendOf(p, common, diags)
      if (be !== null) backends.set(p.name, be)
    }
  }
  if (tables !== undefined) checkStickTables(proxies, tables, diags)
  if (diags.failed) return null
  const plan: Plan = {
    global: globalOf(global), frontends, backends, warnings: [...diags.warnings], files: [...files], stickTables: tables
  }
  return deepFreeze(plan)
}

/** Every table named by a rule exists; tables used by `stick` rules store the server. */
function checkStickTables (proxies: readonly ProxyDraft[], tables: StickTables, diags: Diagnostics): void {
  for (const u of tables.undeclared()) {
    const text = `unable to find stick-table '${u.name}'.`
    diags.alerts.push(u.where === null ? text : located(u.where, text))
  }
  if (diags.failed) return
  for (const p of proxies) {
    for (const r of p.stickRules) r.table.addStore((1 << DT.serverId) | (1 << DT.serverKey))
  }
}

function tcpRequestOf (p: ProxyDraft): ProxyCommon['tcpRequest'] {
  const t = p.tcpRequest
  return t.connection.length + t.session.length + t.content.length === 0 ? undefined : { ...t }
}

function globalOf (g: GlobalDraft): GlobalPlan {
  return {
    maxconn: g.maxconn, logs: g.logs, logTag: g.logTag, logSendHostname: g.logSendHostname, statsSockets: g.statsSockets,
    tune: g.tune, spreadChecks: g.spreadChecks, hardStopAfter: g.hardStopAfter, pidfile: g.pidfile, where: g.where,
    statsTimeout: g.statsTimeout, node: g.node, description: g.description
  }
}

function expandLogs (p: ProxyDraft, g: GlobalDraft): LogTarget[] {
  return p.logs.flatMap(l => 'global' in l ? g.logs : [l])
}

function commonOf (p: ProxyDraft, id: number, g: GlobalDraft): ProxyCommon {
  return {
    name: p.name, id, mode: p.mode, timeouts: { ...p.timeouts }, httpConnMode: p.connOption ?? 'keep-alive',
    forwardFor: p.forwardFor, logs: expandLogs(p, g), logFormat: p.logFormat, dontlognull: p.dontlognull,
    logSeparateErrors: p.logSeparateErrors, errorfiles: p.errorfiles, httpRequestRules: p.httpRequestRules,
    httpResponseRules: p.httpResponseRules, httpBufferRequest: p.httpBufferRequest, where: p.where, statsPage: p.statsPage,
    tcpRequest: tcpRequestOf(p)
  }
}

/** default_backend / use_backend names exist and are mode-compatible. */
function checkFrontendTargets (p: ProxyDraft, backends: ReadonlyMap<string, ProxyDraft>, diags: Diagnostics): void {
  const check = (name: string, where: Where, role: string, usage: string): void => {
    const be = backends.get(name)
    if (be === undefined) { diags.alerts.push(located(where, `Proxy '${p.name}': unable to find required ${role}: '${name}'.`)); return }
    if (p.mode === 'http' && be.mode === 'tcp') {
      diags.alerts.push(located(where, `http frontend '${p.name}' (${p.where.file}:${p.where.line}) tries to use incompatible tcp backend '${be.name}' (${be.where.file}:${be.where.line}) ${usage} (see 'mode').`))
    }
  }
  if (p.defaultBackend !== null) check(p.defaultBackend, p.defaultBackendWhere ?? p.where, 'default_backend', 'as its default backend')
  for (const r of p.switchRules) if (r.backend !== null) check(r.backend, r.where, 'use_backend', "in a 'use_backend' rule")
  if (p.kind === 'frontend' && p.binds.length === 0) {
    diags.warnText(`frontend '${p.name}' has no 'bind' directive. Please declare it as a backend if this was intended.`)
  }
}

function warnMissingTimeouts (p: ProxyDraft, diags: Diagnostics): void {
  const t = p.timeouts
  const missing = ((p.caps & Cap.Fe) !== 0 && t.client === 0) || ((p.caps & Cap.Be) !== 0 && (t.connect === 0 || t.server === 0))
  if (missing && !p.disabled) diags.warnText(missingTimeoutsText(p.kind, p.name))
}

function frontendOf (p: ProxyDraft, common: ProxyCommon, g: GlobalDraft, diags: Diagnostics): FrontendPlan {
  return {
    ...common, isListen: p.kind === 'listen', binds: p.mode === 'http' ? p.binds.map(b => withHttp1Alpn(b, w => diags.warnings.push(w))) : p.binds, maxconn: p.maxconn || g.maxconn, backlog: p.backlog,
    captures: p.captures, responseCaptures: p.responseCaptures, captureCookie: p.captureCookie, switchRules: p.switchRules,
    defaultBackend: p.defaultBackend ?? (p.kind === 'listen' ? p.name : null), tcpRequestRules: p.tcpRequestRules,
    monitorUri: p.monitorUri, monitorFail: p.monitorFail, disabled: p.disabled
  }
}

function backendOf (p: ProxyDraft, common: ProxyCommon, diags: Diagnostics): BackendPlan | null {
  let balance = p.balance
  if (p.mode === 'tcp' && HTTP_ONLY_ALGOS.has(balance.algo) && balance.algo !== 'rdp-cookie') {
    diags.warnText(`Layer 7 hash not possible for ${p.kind} '${p.name}' (needs 'mode http'). Falling back to round robin.`)
    balance = { ...balance, algo: 'roundrobin' }
  }
  const servers = serversOf(p, diags)
  for (const r of p.useServerRules) {
    if (!p.servers.some(s => s.name === r.server)) diags.alerts.push(located(r.where, `${p.kind} '${p.name}' : unable to find server '${r.server}' referenced in a 'use-server' rule.`))
  }
  if (servers === null) return null
  return {
    ...common, isListen: p.kind === 'listen', balance, hashType: p.hashType, servers, retries: p.retries,
    redispatch: p.redispatch, redispatchEvery: p.redispatchEvery, httpReuse: p.httpReuse, cookie: p.cookie,
    check: { ...p.check }, fullconn: p.fullconn, maxconn: p.kind === 'listen' ? p.maxconn : 0,
    abortonclose: p.abortonclose, persist: p.persist, allbackups: p.allbackups, disabled: p.disabled,
    useServerRules: p.useServerRules,
    // absent when empty: the hot path tests for undefined only
    stickRules: p.stickRules.length === 0 ? undefined : p.stickRules,
    persistRules: p.persistRules.length === 0 ? undefined : p.persistRules,
    tcpResponse: p.tcpResponse.content.length === 0 ? undefined : { ...p.tcpResponse }
  }
}

/** Server plans with ids (explicit `id` first, then the lowest free ids in order). */
function serversOf (p: ProxyDraft, diags: Diagnostics): ServerPlan[] | null {
  const used = new Map<number, ServerDraft>()
  let ok = true
  for (const s of p.servers) {
    if (s.id === 0) continue
    const other = used.get(s.id)
    if (other !== undefined) {
      diags.alerts.push(located(s.where, `'server ${p.name}/${s.name}' : custom id ${s.id} already used at ${other.where.file}:${other.where.line} ('server ${other.name}').`))
      ok = false
    }
    used.set(s.id, s)
  }
  let next = 1
  const out: ServerPlan[] = []
  for (const s of p.servers) {
    if (s.tlsLateAlert !== undefined) { diags.alerts.push(s.tlsLateAlert); ok = false }
    let id = s.id
    if (id === 0) { while (used.has(next)) next++; id = next; used.set(id, s) }
    out.push(serverOf(s, id))
  }
  return ok ? out : null
}

function serverOf (s: ServerDraft, id: number): ServerPlan {
  const check: CheckServerPlan = {
    enabled: s.check, inter: s.inter, fastinter: s.fastinter || s.inter, downinter: s.downinter || s.inter,
    rise: s.rise, fall: s.fall, port: s.checkPort, addr: s.checkAddr,
    agent: s.agent && s.agentPort > 0 ? { port: s.agentPort, inter: s.agentInter || s.inter, send: s.agentSend } : null,
    checkSsl: s.checkSsl
  }
  return {
    name: s.name, id, host: s.host, port: s.port, unixPath: s.unixPath, weight: s.weight, maxconn: s.maxconn,
    maxqueue: s.maxqueue, minconn: s.minconn, backup: s.backup, disabled: s.disabled, cookie: s.cookie,
    source: s.source, check, sendProxy: s.sendProxy, ssl: s.ssl, sslWords: s.sslWords, onMarkedDown: s.onMarkedDown,
    onMarkedUp: s.onMarkedUp, slowstart: s.slowstart, where: s.where,
    ...(s.tls === undefined ? {} : { tls: s.tls }), ...(s.checkTls === undefined ? {} : { checkTls: s.checkTls })
  }
}
