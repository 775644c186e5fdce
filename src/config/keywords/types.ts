import type { Where } from '../../core/where.ts'
import type { HttpRule, Predicate, RulesCtx, SampleExpr, Template } from '../../rules/types.ts'
import type { LogTarget, StatsSocketPlan, TunePlan } from '../plan.ts'
import type { Diagnostics } from '../messages.ts'
import type { StickTables } from '../../rules/stick/tables.ts'
import type { Userlists } from '../../rules/auth/userlist.ts'
import type { ProxyRefs } from '../../rules/proxy-refs.ts'
import type { TcpRule, TcpRuleSet } from '../../rules/tcp-rules.ts'
import type { ProxyDraft } from '../draft.ts'
import { parseTime } from '../durations.ts'

/** The rules engine's compile entry points (src/rules/compile.ts), injected
 *  so that config/ is tested on its own and never reimplements them. They
 *  throw RulesError for bad expressions. */
export interface RulesCompiler {
  compileAcl (words: string[], ctx: RulesCtx): Predicate
  /** records ACL <name> in ctx.acls; several lines with one name are ORed */
  mergeAcl (ctx: RulesCtx, name: string, pred: Predicate): void
  compileCondition (words: string[], ctx: RulesCtx): Predicate
  compileTemplate (text: string, ctx: RulesCtx): Template
  compileHttpRequestRule (words: string[], ctx: RulesCtx): HttpRule
  compileHttpResponseRule (words: string[], ctx: RulesCtx): HttpRule
  /** "req.hdr(x),lower" → SampleExpr (stick rules) */
  compileSampleExpr? (text: string, ctx: RulesCtx): SampleExpr
  /** <words> follow `tcp-request <set>`; <http>: the proxy is in mode http */
  compileTcpRule? (set: TcpRuleSet, words: string[], ctx: RulesCtx, http: boolean): TcpRule
  /** <words> follow `tcp-response content` */
  compileTcpResponseRule? (words: string[], ctx: RulesCtx): TcpRule
}

export interface GlobalDraft {
  maxconn: number
  logs: LogTarget[]
  logTag: string
  logSendHostname: string | null
  statsSockets: StatsSocketPlan[]
  statsTimeout: number
  node: string
  description: string
  tune: { -readonly [K in keyof TunePlan]: number }
  spreadChecks: number
  hardStopAfter: number
  pidfile: string | null
  where: Where
}

/** What a keyword parser gets: the whole line (<words>[0] is the keyword)
 *  and where to report. Parsers never throw for config errors: they report
 *  through alert()/warn() and leave the draft unchanged. */
export interface KwCtx {
  readonly words: string[]
  readonly where: Where
  readonly diags: Diagnostics
  readonly baseDir: string
  readonly rules: RulesCompiler
  readonly global: GlobalDraft
  /** environment used for expansion; global `setenv` changes it */
  readonly env: Map<string, string>
  /** files read while parsing (errorfiles), for Plan.files */
  readonly files: string[]
  /** stick tables of the configuration (stick-table, track-sc, sc_* fetches) */
  readonly tables?: StickTables
  /** userlists of the configuration (http_auth, http_auth_group) */
  readonly userlists?: Userlists
  /** proxies named in fetch arguments, checked once everything is read */
  readonly proxyRefs?: ProxyRefs
}

export interface ProxyKeyword {
  /** OR of Cap bits of the sections that accept it */
  readonly caps: number
  /** true: an alert (not a warning) when used where not allowed (`server` in a frontend) */
  readonly strict?: boolean
  /** refused in anonymous `defaults` sections (acl, rules need a proxy) */
  readonly noDefaults?: boolean
  readonly parse: (p: ProxyDraft, c: KwCtx) => void
}

export function alert (c: KwCtx, text: string): void { c.diags.alert(c.where, text) }
export function warn (c: KwCtx, text: string): void { c.diags.warn(c.where, text) }

/** Parses a time argument or reports "<err> in '<what>'"; null on error. */
export function timeArg (c: KwCtx, text: string | undefined, what: string): number | null {
  if (text === undefined) { alert(c, `'${what}' expects a time value as argument.`); return null }
  const t = parseTime(text)
  if (typeof t === 'number') return t
  alert(c, `${t.error} in '${what}'`)
  return null
}

/** Integer argument in [min, max] or an alert naming <what>; null on error. */
export function intArg (c: KwCtx, text: string | undefined, what: string, min = 0, max = 2147483647): number | null {
  if (text === undefined || !/^-?\d+$/.test(text)) { alert(c, `'${what}' expects an integer argument.`); return null }
  const v = Number(text)
  if (v < min || v > max) { alert(c, `'${what}' expects a value between ${min} and ${max} (got '${text}').`); return null }
  return v
}

/** Reports extra words after <expected> arguments; true when the line is clean. */
export function noExtra (c: KwCtx, expected: number): boolean {
  const extra = c.words[expected + 1]
  if (extra === undefined) return true
  alert(c, `'${c.words[0]}' cannot handle unexpected argument '${extra}'.`)
  return false
}
