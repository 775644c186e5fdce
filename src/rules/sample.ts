import type { StreamView } from '../core/stream-view.ts'
import { RulesError } from './types.ts'
import type { MapStore } from './maps.ts'
import type { StickTables } from './stick/tables.ts'
import type { Userlists } from './auth/userlist.ts'
import type { CaptureSlots } from './captures.ts'
import type { ProxyRefs } from './proxy-refs.ts'

/** Static sample types (HAProxy SMP_T_*). At run time a sample is a JS value:
 *  bool → boolean, int → number, every other type → string (ip as text,
 *  bin as a latin1 byte string, meth as the method text). 'any' is a value
 *  whose type is only known at run time (variables). */
export type SmpType = 'bool' | 'int' | 'str' | 'ip' | 'bin' | 'meth' | 'any'
export type Sample = string | number | boolean

/** A compiled fetch or fetch+converters chain; undefined = no sample. */
export type SampleFn = (s: StreamView) => Sample | undefined

/** A compiled converter step: <v> is already of the converter's input type. */
export type ConvFn = (v: Sample, s: StreamView) => Sample | undefined

/** A fetch that can yield several values (hdr() in an ACL): calls <visit>
 *  with each until it returns true, and returns whether one did. */
export type EachFn = (s: StreamView, visit: (v: Sample, s: StreamView) => boolean) => boolean

/** Argument kinds a keyword declares (HAProxy ARGT_*). */
export type ArgKind = 'str' | 'int' | 'var' | 'reg'
export interface ArgSpec { readonly kind: ArgKind; readonly optional?: boolean }

export interface FetchDef {
  readonly args: readonly ArgSpec[]
  readonly out: SmpType
  /** Phase bits where the fetch can work (HAProxy SMP_USE_*) */
  readonly use: number
  /** Set when the keyword is not in HAProxy 2.6 (a warning tells the user) */
  readonly extension?: string
  compile (args: readonly string[], cc: CompileCtx): SampleFn
  /** For ACLs: every value (HAProxy's SMP_F_NOT_LAST loop); null = single value */
  compileEach? (args: readonly string[], cc: CompileCtx): EachFn | null
  /** For ACLs on the bare fetch: its own match of <patterns> (HAProxy's
   *  per-keyword match, e.g. http_auth_group against group names) */
  aclMatch? (args: readonly string[], patterns: readonly string[], cc: CompileCtx): (s: StreamView) => boolean
}

export interface ConvDef {
  readonly args: readonly ArgSpec[]
  readonly in: SmpType
  readonly out: SmpType
  compile (args: readonly string[], cc: CompileCtx): ConvFn
}

/** What keyword compilers may use besides their arguments. */
export interface CompileCtx {
  readonly baseDir: string
  readonly maps: MapStore
  warn (msg: string): void
  /** Stick tables of the configuration (sc_*, table_*, track-sc); absent = none declared */
  readonly tables?: StickTables
  /** Name of the proxy being compiled: its own stick table is the default one */
  readonly proxy?: string
  /** Userlists of the configuration (http_auth); absent = none can be named */
  readonly userlists?: Userlists
  /** The proxy has a backend side (set-timeout, nbsrv without argument) */
  readonly backend?: boolean
  /** The proxy has a frontend side (capture … len, fe_conn without argument) */
  readonly frontend?: boolean
  /** The proxy's capture slots (http-request capture) */
  readonly captureSlots?: CaptureSlots
  /** Proxies named in fetch arguments, checked once the configuration is read */
  readonly proxyRefs?: ProxyRefs
}

/** Integer parsing like HAProxy's read_int64: optional sign then digits,
 *  stopping at the first non-digit ("12abc" → 12, "abc" → 0). */
export function leadingInt (str: string): number {
  let i = 0
  let neg = false
  if (str.charCodeAt(0) === 45 /* - */) { neg = true; i = 1 } else if (str.charCodeAt(0) === 43 /* + */) i = 1
  let n = 0
  for (; i < str.length; i++) {
    const c = str.charCodeAt(i) - 48
    if (c < 0 || c > 9) break
    n = n * 10 + c
  }
  return neg ? -n : n
}

const INT64_LIMIT = 2 ** 63

/** Decimal text of an integer sample; values at the 64-bit limits print as
 *  HAProxy's long long does (doubles cannot hold 2^63-1 exactly). */
export function intText (n: number): string {
  if (n >= INT64_LIMIT) return '9223372036854775807'
  if (n <= -INT64_LIMIT) return '-9223372036854775808'
  return String(n)
}

/** Text of any sample (bool as 1/0). */
export function sampleText (v: Sample): string {
  return typeof v === 'string' ? v : typeof v === 'boolean' ? (v ? '1' : '0') : intText(v)
}

const toStr = (v: Sample): Sample => sampleText(v)
const toInt = (v: Sample): Sample | undefined => typeof v === 'number' ? v : typeof v === 'boolean' ? (v ? 1 : 0) : v.length === 0 ? undefined : leadingInt(v)
const toBool = (v: Sample): Sample | undefined => typeof v === 'boolean' ? v : typeof v === 'number' ? v !== 0 : v.length === 0 ? undefined : leadingInt(v) !== 0

/** Cast from <from> to <to> (HAProxy sample_casts[][]): null = no conversion
 *  needed, 'never' = impossible, else the function to apply. */
export function castFn (from: SmpType, to: SmpType): ((v: Sample) => Sample | undefined) | null | 'never' {
  if (from === to && to !== 'any') return null
  if (from === 'any') return to === 'int' ? toInt : to === 'bool' ? toBool : to === 'any' ? null : toStr
  if (to === 'str' || to === 'bin') return from === 'bool' || from === 'int' ? toStr : null
  if (to === 'int') return from === 'ip' ? 'never' : toInt
  if (to === 'bool') return from === 'ip' ? 'never' : toBool
  if (to === 'ip') return from === 'str' || from === 'bin' ? null : 'never'
  // meth accepts any text
  return from === 'str' || from === 'bin' ? null : 'never'
}

/** Wraps <fn> so its result is cast from <from> to <to>; throws on impossible casts. */
export function withCast (fn: SampleFn, from: SmpType, to: SmpType, what: string): SampleFn {
  const cast = castFn(from, to)
  if (cast === 'never') throw new RulesError(`${what}: cannot convert type '${from}' to '${to}'`)
  if (cast === null) return fn
  return (s) => { const v = fn(s); return v === undefined ? undefined : cast(v) }
}
