/** Compiles `real_server <ip> <port> { ... }` and its checkers (TCP_CHECK,
 *  HTTP_GET, SSL_GET, MISC_CHECK) of a keepalived virtual_server. Unknown or
 *  unsupported keywords are alerts with file:line. */
import type { L4CheckerPlan, L4UrlPlan, RealServerPlan } from '../../l4/plan.ts'
import type { KaStatement } from './parse.ts'
import { alert, commandArg, intArg, ipv4Arg, isIpv4, oneArg, secondsArg, warn, type Diag } from './values.ts'

/** Checker settings inherited from the virtual_server and real_server levels (keepalived 2.2). */
export interface CheckerDefaults {
  readonly delayLoop: number
  readonly connectTimeout: number
  /** null = the checker kind's default (1, MISC_CHECK 0) */
  readonly retry: number | null
  readonly delayBeforeRetry: number
  /** alpha: checkers start failed */
  readonly alpha: boolean
}

const BOOLS: Readonly<Record<string, boolean>> = { yes: true, on: true, true: true, no: false, off: false, false: false }

/** `<keyword> [<BOOL>]`: the keyword alone is true (keepalived's yes/no, on/off, true/false). */
export function boolArg (d: Diag, s: KaStatement): boolean | null {
  if (!s.args.length) return true
  const v = BOOLS[s.args[0]!.toLowerCase()]
  if (v === undefined || s.args.length > 1) { alert(d, s, `${s.kw} '${s.args.join(' ')}' is invalid - expected yes/no, on/off or true/false`); return null }
  return v
}

/** `<keyword> <script> [username [groupname]]`: the command line, run by /bin/sh -c as pocketlb's own user. */
export function scriptArg (d: Diag, s: KaStatement): string | null {
  const [script, ...user] = s.args
  if (!script) { alert(d, s, `${s.kw} requires a script`); return null }
  if (user.length) warn(d, s, `${s.kw}: username/groupname ignored: scripts run as pocketlb's own user`)
  return script
}

/** Applies a defaults keyword of <s> to <def>; false when <s> is not one. */
export function readCheckerDefault (d: Diag, s: KaStatement, def: CheckerDefaults): CheckerDefaults | null {
  switch (s.kw) {
    case 'delay_loop': return { ...def, delayLoop: secondsArg(d, s, 10, 86_400_000) ?? def.delayLoop }
    case 'connect_timeout': return { ...def, connectTimeout: secondsArg(d, s, 10, 3_600_000) ?? def.connectTimeout }
    case 'retry': case 'nb_get_retry': return { ...def, retry: intArg(d, s, 0, 1000) ?? def.retry }
    case 'delay_before_retry': return { ...def, delayBeforeRetry: secondsArg(d, s, 0, 3_600_000) ?? def.delayBeforeRetry }
    case 'alpha': return { ...def, alpha: boolArg(d, s) ?? def.alpha }
    default: return null
  }
}

const UNSUPPORTED_CHECKERS: Readonly<Record<string, string>> = {
  SMTP_CHECK: 'SMTP_CHECK is not supported; use TCP_CHECK or MISC_CHECK',
  DNS_CHECK: 'DNS_CHECK is not supported; use MISC_CHECK with a resolver command',
  BFD_CHECK: 'BFD_CHECK is not supported',
  FILE_CHECK: 'FILE_CHECK is not supported; use MISC_CHECK "test -e <file>"',
  PING_CHECK: 'PING_CHECK is not supported; use MISC_CHECK "ping -c1 -W1 <ip>"',
  UDP_CHECK: 'UDP_CHECK is not supported; use MISC_CHECK'
}

/** "200", "200-299" words of a status_code line */
function statusCodes (d: Diag, s: KaStatement): [number, number][] {
  const out: [number, number][] = []
  if (!s.args.length) { alert(d, s, 'status_code requires a value'); return out }
  for (const w of s.args) {
    const m = /^(\d{3})(?:-(\d{3}))?$/.exec(w)
    if (!m || Number(m[2] ?? m[1]) < Number(m[1])) { alert(d, s, `status_code '${w}' is invalid - expected a code 100-599 or a range like 200-299`); continue }
    out.push([Number(m[1]), Number(m[2] ?? m[1])])
  }
  return out
}

function compileUrl (d: Diag, s: KaStatement): L4UrlPlan | null {
  let path: string | null = null; let digest: string | null = null
  const codes: [number, number][] = []
  for (const st of s.block ?? []) {
    switch (st.kw) {
      case 'path': path = oneArg(d, st); break
      case 'digest': {
        const v = oneArg(d, st)
        if (v !== null && !/^[0-9a-fA-F]{32}$/.test(v)) alert(d, st, `digest '${v}' is invalid - expected 32 hexadecimal digits (MD5)`)
        else if (v !== null) digest = v.toLowerCase()
        break
      }
      case 'status_code': codes.push(...statusCodes(d, st)); break
      case 'virtualhost': warn(d, st, 'virtualhost ignored: the Host header is the checked address'); break
      case 'regex': case 'regex_no_match': case 'regex_options': case 'regex_stack':
        alert(d, st, `${st.kw} is not supported; use digest or status_code`); break
      default: alert(d, st, `Unknown keyword '${st.kw}'`)
    }
  }
  if (path === null) { alert(d, s, 'url requires a path'); return null }
  return { path, statusCodes: codes, digest }
}

const KINDS: Readonly<Record<string, L4CheckerPlan['kind']>> = { TCP_CHECK: 'tcp', HTTP_GET: 'http', SSL_GET: 'ssl', MISC_CHECK: 'misc' }

function compileChecker (d: Diag, s: KaStatement, inherited: CheckerDefaults): L4CheckerPlan | null {
  const kind = KINDS[s.kw]!
  let def = inherited
  let connectIp = ''; let connectPort = 0; let miscPath = ''; let miscTimeout = 0; let miscDynamic = false
  const urls: L4UrlPlan[] = []
  const before = d.alerts.length
  for (const st of s.block ?? []) {
    const next = readCheckerDefault(d, st, def)
    if (next !== null) { def = next; continue }
    switch (st.kw) {
      case 'connect_ip': connectIp = ipv4Arg(d, st, oneArg(d, st)) ?? ''; break
      case 'connect_port': connectPort = intArg(d, st, 1, 65535) ?? 0; break
      case 'url':
        if (kind !== 'http' && kind !== 'ssl') alert(d, st, `url is only valid in HTTP_GET and SSL_GET`)
        else { const u = compileUrl(d, st); if (u) urls.push(u) }
        break
      case 'misc_path': if (kind === 'misc') miscPath = commandArg(d, st) ?? ''; else alert(d, st, 'misc_path is only valid in MISC_CHECK'); break
      case 'misc_timeout': miscTimeout = secondsArg(d, st, 10, 3_600_000) ?? 0; break
      case 'misc_dynamic': if (kind === 'misc') miscDynamic = true; else alert(d, st, 'misc_dynamic is only valid in MISC_CHECK'); break
      case 'warmup': case 'user': case 'bind_port': case 'enable_sni': case 'tls_compliant':
        warn(d, st, `${st.kw} ignored`); break
      case 'bindto': case 'bind_if': alert(d, st, `${st.kw} is not supported: checks leave from the balancer's own address`); break
      case 'fwmark': alert(d, st, 'fwmark is not supported'); break
      default: alert(d, st, `Unknown keyword '${st.kw}'`)
    }
  }
  if ((kind === 'http' || kind === 'ssl') && !urls.length) alert(d, s, `${s.kw} requires at least one url { path ... }`)
  if (kind === 'misc' && !miscPath) alert(d, s, 'MISC_CHECK requires misc_path')
  if (d.alerts.length > before) return null
  return {
    kind, connectIp, connectPort, connectTimeout: def.connectTimeout,
    retry: def.retry ?? (kind === 'misc' ? 0 : 1),
    delayBeforeRetry: def.delayBeforeRetry, delayLoop: def.delayLoop, urls, miscPath,
    miscTimeout: miscTimeout || def.delayLoop, miscDynamic, alpha: def.alpha, where: s.where
  }
}

export function compileRealServer (d: Diag, s: KaStatement, inherited: CheckerDefaults): RealServerPlan | null {
  const [addr, portText] = s.args
  if (!addr || !isIpv4(addr)) { alert(d, s, `real_server: '${addr ?? ''}' is not a valid IPv4 address (IPv6 services are not supported)`); return null }
  if (!portText || !/^\d+$/.test(portText) || Number(portText) < 1 || Number(portText) > 65535) {
    alert(d, s, `real_server ${addr}: a port 1-65535 is required (lb_kind NAT rewrites the destination port)`); return null
  }
  let weight = 1; let inhibitOnFailure = false; let def = inherited
  let notifyUp: string | null = null; let notifyDown: string | null = null
  const checkerStmts: KaStatement[] = []
  const before = d.alerts.length
  for (const st of s.block ?? []) {
    const next = readCheckerDefault(d, st, def)
    if (next !== null) { def = next; continue }
    if (KINDS[st.kw]) { checkerStmts.push(st); continue }
    const unsupported = UNSUPPORTED_CHECKERS[st.kw]
    if (unsupported) { alert(d, st, unsupported); continue }
    switch (st.kw) {
      case 'weight': weight = intArg(d, st, 0, 65535) ?? weight; break
      case 'inhibit_on_failure': inhibitOnFailure = true; break
      case 'uthreshold': case 'lthreshold':
        alert(d, st, `${st.kw} needs the number of active connections per real server, which nftables cannot limit per destination`); break
      case 'notify_up': notifyUp = scriptArg(d, st); break
      case 'notify_down': notifyDown = scriptArg(d, st); break
      case 'smtp_alert': warn(d, st, 'smtp_alert ignored: pocketlb sends no mail; use notify_up/notify_down'); break
      case 'rs_name': warn(d, st, 'rs_name ignored: logs and show l4 name real servers by address and port'); break
      case 'warmup': warn(d, st, 'warmup ignored: the first checks are not delayed at random'); break
      default: alert(d, st, `Unknown keyword '${st.kw}'`)
    }
  }
  const checkers: L4CheckerPlan[] = []
  for (const st of checkerStmts) { const c = compileChecker(d, st, def); if (c) checkers.push(c) }
  if (d.alerts.length > before) return null
  return { addr, port: Number(portText), weight, inhibitOnFailure, checkers, notifyUp, notifyDown, where: s.where }
}
