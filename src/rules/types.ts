import type { StreamView } from '../core/stream-view.ts'
import type { HttpHead } from '../core/http-head.ts'
import type { MapStore } from './maps.ts'
import type { CompileCtx } from './sample.ts'

/** Contract of the rules engine (HAProxy sample.c / acl.c / http_act.c).
 *  Everything is compiled once by config/ through rules/compile.ts; at run time
 *  only these function values are called. */

/** Phases where a fetch or action is usable (bitmask, HAProxy SMP_USE_*). */
export const Phase = { L4Conn: 1, L4Content: 2, HttpReq: 4, HttpRes: 8, Log: 16, L4Response: 32 } as const

/** Services `http-request use-service` may name. */
export type ServiceName = 'prometheus-exporter'

/** A compiled condition (`if`/`unless` clause, ACL reference). */
export type Predicate = (s: StreamView) => boolean

/** A compiled `fetch[,conv...]` expression. undefined = "no sample" (fetch failed). */
export type SampleExpr = (s: StreamView) => string | number | boolean | undefined

/** A compiled log-format-like template ("%[req.hdr(host),lower]%[path]", literal text). */
export type Template = (s: StreamView) => string

/** What an http-request / http-response rule may change: the head it acts on. */
export interface ActionTarget extends StreamView {
  /** The head being processed (request for http-request, response for http-response) */
  readonly head: HttpHead
}

/** Verdict of one rule. Rules return precomputed objects (no allocation per request). */
export type RuleOutcome =
  | { readonly kind: 'continue' }
  | { readonly kind: 'allow' }
  /** deny; <tarpit> = hold the connection for `timeout tarpit` before answering */
  | { readonly kind: 'deny'; readonly status: number; readonly tarpit?: boolean }
  | { readonly kind: 'respond'; readonly status: number; readonly headers: readonly [string, string][]; readonly body: string }
  /** use-service: an answer the proxy builds itself (HAProxy's applets) */
  | { readonly kind: 'service'; readonly name: ServiceName }
  /** http-request auth: 401 with `WWW-Authenticate: Basic realm="<realm>"` */
  | { readonly kind: 'auth'; readonly realm: string }
  /** redirect: Location computed per request */
  | { readonly kind: 'redirect'; readonly status: number; readonly location: string }

export interface HttpRule {
  /** null = unconditional */
  readonly cond: Predicate | null
  run (t: ActionTarget): RuleOutcome
}

/** Compile-time context passed by config/ to rules/compile.ts: what keyword compilers
 *  get (CompileCtx), plus the section's ACLs and the place's phase; the map store is
 *  optional here (rules/maps.ts defaultMapStore when absent). */
export interface RulesCtx extends Omit<CompileCtx, 'maps'> {
  /** ACLs declared so far in this proxy section (name → predicate factory result) */
  readonly acls: Map<string, Predicate>
  /** Phase bits of the place being compiled (a fetch not usable there is an error) */
  phase: number
  /** Map files of this configuration (shared with the runtime API) */
  readonly maps?: MapStore
}

/** Thrown by rules/compile.ts for a bad expression; config/ adds file:line and keyword. */
export class RulesError extends Error {
  constructor (message: string) { super(message); this.name = 'RulesError' }
}
