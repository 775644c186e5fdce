import { Cap, type ProxyDraft } from '../draft.ts'
import { optionCheckKind, optionHttpchk, optionPgsqlCheck, optionSmtpchk } from './checks.ts'
import { alert, warn, type KwCtx } from './types.ts'

/** `option <name> [args]` and `no option <name>` (HAProxy cfg_opts + proxy options). */

export interface ProxyOption {
  readonly caps: number
  /** `no option X` is allowed */
  readonly negatable: boolean
  /** <args> are the words after the option name; <negate> for `no option` */
  readonly apply: (p: ProxyDraft, c: KwCtx, args: readonly string[], negate: boolean) => void
}

const FE = Cap.Def | Cap.Fe
const BE = Cap.Def | Cap.Be
const ANY = Cap.Def | Cap.Fe | Cap.Be

type BoolKey = 'dontlognull' | 'logSeparateErrors' | 'redispatch' | 'abortonclose' | 'persist' | 'allbackups' | 'httpBufferRequest'

const flag = (caps: number, key: BoolKey): ProxyOption => ({
  caps, negatable: true, apply: (p, c, args, negate) => { if (noArgs(c, args)) p[key] = !negate }
})

const connMode = (mode: 'keep-alive' | 'server-close' | 'close'): ProxyOption => ({
  caps: ANY, negatable: true,
  apply: (p, c, args, negate) => {
    if (!noArgs(c, args)) return
    if (!negate) p.connOption = mode
    else if (p.connOption === mode) p.connOption = null
  }
})

/** Accepted for compatibility; changes nothing on this device. */
const accepted = (caps: number): ProxyOption => ({ caps, negatable: true, apply: () => {} })

const check = (kind: 'redis' | 'ssl-hello' | 'ldap' | 'tcp-check' | 'mysql'): ProxyOption => ({
  caps: BE, negatable: false, apply: p => optionCheckKind(p, kind)
})

function noArgs (c: KwCtx, args: readonly string[]): boolean {
  if (args.length === 0) return true
  alert(c, `'${c.words.slice(0, c.words.indexOf('option') + 2).join(' ')}' cannot handle unexpected argument '${args[0]}'.`)
  return false
}

export const PROXY_OPTIONS: Readonly<Record<string, ProxyOption>> = {
  httplog: {
    caps: ANY, negatable: true,
    apply: (p, c, args, negate) => {
      if (args.length > 1 || (args[0] !== undefined && args[0] !== 'clf')) { alert(c, "'option httplog' only supports the 'clf' argument."); return }
      p.logFormat = negate ? null : args[0] === 'clf' ? 'clf' : 'httplog'
    }
  },
  tcplog: { caps: ANY, negatable: true, apply: (p, c, args, negate) => { if (noArgs(c, args)) p.logFormat = negate ? null : 'tcplog' } },
  dontlognull: flag(FE, 'dontlognull'),
  'log-separate-errors': flag(FE, 'logSeparateErrors'),
  abortonclose: flag(BE, 'abortonclose'),
  persist: flag(BE, 'persist'),
  allbackups: flag(BE, 'allbackups'),
  'http-buffer-request': flag(ANY, 'httpBufferRequest'),
  'http-keep-alive': connMode('keep-alive'),
  'http-server-close': connMode('server-close'),
  httpclose: connMode('close'),
  forceclose: {
    caps: ANY, negatable: true,
    apply: (p, c, args, negate) => {
      warn(c, "option 'forceclose' is not supported by HAProxy since 2.0 (it rejects it); handled here as 'option httpclose'.")
      connMode('close').apply(p, c, args, negate)
    }
  },
  redispatch: {
    caps: BE, negatable: true,
    apply: (p, c, args, negate) => {
      const n = args[0]
      if (n !== undefined && !/^-?\d+$/.test(n)) { alert(c, `'option redispatch' expects an integer interval (got '${n}').`); return }
      p.redispatch = !negate && n !== '0'
      p.redispatchEvery = n === undefined || n === '0' ? 1 : Number(n)
    }
  },
  forwardfor: { caps: ANY, negatable: false, apply: parseForwardFor },
  httpchk: { caps: BE, negatable: false, apply: (p, c, args) => optionHttpchk(p, c, args) },
  'tcp-check': check('tcp-check'),
  'redis-check': check('redis'),
  'mysql-check': check('mysql'),
  'ssl-hello-chk': check('ssl-hello'),
  smtpchk: { caps: BE, negatable: false, apply: (p, _c, args) => optionSmtpchk(p, args) },
  'pgsql-check': { caps: BE, negatable: false, apply: (p, c, args) => optionPgsqlCheck(p, c, args) },
  'ldap-check': check('ldap'),
  'log-health-checks': {
    caps: BE, negatable: true,
    apply: (p, c, args, negate) => { if (noArgs(c, args)) p.check = { ...p.check, logHealthChecks: !negate } }
  },
  contstats: accepted(FE),
  'http-ignore-probes': accepted(FE),
  'socket-stats': accepted(FE),
  'tcp-smart-accept': accepted(FE),
  clitcpka: accepted(FE),
  'accept-invalid-http-request': accepted(FE),
  'http-no-delay': accepted(ANY),
  tcpka: accepted(ANY),
  nolinger: accepted(ANY),
  'splice-auto': accepted(ANY),
  'splice-request': accepted(ANY),
  'splice-response': accepted(ANY),
  'independent-streams': accepted(ANY),
  srvtcpka: accepted(BE),
  'tcp-smart-connect': accepted(BE),
  'prefer-last-server': accepted(BE),
  'http-pretend-keepalive': accepted(BE),
  checkcache: accepted(BE),
  'accept-invalid-http-response': accepted(BE),
  transparent: accepted(BE),
  originalto: accepted(ANY)
}

/** option forwardfor [except <network>] [header <name>] [if-none] */
function parseForwardFor (p: ProxyDraft, c: KwCtx, args: readonly string[]): void {
  let header = 'X-Forwarded-For'
  let except: { addr: string; prefix: number } | null = null
  let ifNone = false
  for (let i = 0; i < args.length; i++) {
    const w = args[i]
    if (w === 'if-none') { ifNone = true; continue }
    const v = args[++i]
    if (w === 'header' && v !== undefined && v !== '') header = v
    else if (w === 'except' && v !== undefined) {
      const m = /^([0-9a-fA-F:.]+)(?:\/(\d+))?$/.exec(v)
      if (m === null) { alert(c, `'option forwardfor' : invalid network '${v}' for 'except'.`); return }
      const addr = m[1] as string
      except = { addr, prefix: m[2] === undefined ? (addr.includes(':') ? 128 : 32) : Number(m[2]) }
    } else { alert(c, "'option forwardfor' only supports optional values: 'header', 'if-none' and 'except'."); return }
  }
  p.forwardFor = { header, except, ifNone }
}
