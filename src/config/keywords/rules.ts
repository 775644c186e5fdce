import { Phase, RulesError, type Predicate, type RulesCtx } from '../../rules/types.ts'
import type { ProxyDraft } from '../draft.ts'
import { alert, noExtra, timeArg, warn, type KwCtx } from './types.ts'
import { Cap } from '../draft.ts'
import type { CaptureSlots } from '../../rules/captures.ts'

/** Keywords whose expressions are compiled by the rules engine: acl,
 *  use_backend, use-server, http-request, http-response, tcp-request,
 *  capture. ACLs are per proxy: a proxy's rules see the ACLs declared before them. */

const ALL_PHASES = Phase.L4Conn | Phase.L4Content | Phase.HttpReq | Phase.HttpRes | Phase.Log

function rulesCtx (p: ProxyDraft, c: KwCtx, phase: number): RulesCtx {
  return {
    acls: p.acls, baseDir: c.baseDir, phase, warn: msg => warn(c, msg), tables: c.tables, proxy: p.name, userlists: c.userlists, proxyRefs: c.proxyRefs,
    backend: (p.caps & Cap.Be) !== 0, frontend: (p.caps & Cap.Fe) !== 0, captureSlots: captureSlots(p)
  }
}

/** The proxy's capture slots as rules see them (http-request capture). */
function captureSlots (p: ProxyDraft): CaptureSlots {
  return {
    addRequest: len => p.captures.push({ name: '', lname: '', len }) - 1,
    count: response => (response ? p.responseCaptures : p.captures).length
  }
}

/** Runs <fn>; a RulesError becomes HAProxy's "error detected in ..." alert. */
function guarded<T> (p: ProxyDraft, c: KwCtx, what: string, fn: () => T): T | null {
  try {
    return fn()
  } catch (e) {
    if (!(e instanceof RulesError)) throw e
    alert(c, `error detected in ${p.kind} '${p.name}' while parsing '${what}' : ${e.message}`)
    return null
  }
}

/** Splits `<action words> if|unless <cond...>`; <cond> is null when absent. */
export function splitCondition (words: readonly string[]): { head: string[]; cond: { negate: boolean; words: string[] } | null } {
  const i = words.findIndex(w => w === 'if' || w === 'unless')
  if (i < 0) return { head: [...words], cond: null }
  return { head: words.slice(0, i), cond: { negate: words[i] === 'unless', words: words.slice(i + 1) } }
}

/** Compiles an optional `if|unless` clause; undefined on error, null when absent. */
function condition (p: ProxyDraft, c: KwCtx, what: string, cond: ReturnType<typeof splitCondition>['cond'], phase: number): Predicate | null | undefined {
  if (cond === null) return null
  if (cond.words.length === 0) { alert(c, `'${what}' : missing condition after '${cond.negate ? 'unless' : 'if'}'.`); return undefined }
  const pred = guarded(p, c, what, () => c.rules.compileCondition(cond.words, rulesCtx(p, c, phase)))
  if (pred === null) return undefined
  return cond.negate ? s => !pred(s) : pred
}

function modePhase (p: ProxyDraft): number { return p.mode === 'http' ? Phase.HttpReq : Phase.L4Content }

export function parseAcl (p: ProxyDraft, c: KwCtx): void {
  const name = c.words[1]
  if (name === undefined || c.words[2] === undefined) { alert(c, "'acl' expects an ACL name and a criterion."); return }
  if (!/^[A-Za-z0-9_.:-]+$/.test(name)) { alert(c, `'acl' : invalid character in ACL name '${name}'.`); return }
  const ctx = rulesCtx(p, c, ALL_PHASES)
  const pred = guarded(p, c, `acl ${name}`, () => c.rules.compileAcl(c.words.slice(2), ctx))
  if (pred !== null) c.rules.mergeAcl(ctx, name, pred)
}

/** use_backend <name> | %[expr] [if|unless <cond>] */
export function parseUseBackend (p: ProxyDraft, c: KwCtx): void {
  const { head, cond } = splitCondition(c.words.slice(1))
  const target = head[0]
  if (target === undefined || head.length > 1) { alert(c, "'use_backend' expects a backend name."); return }
  const pred = condition(p, c, 'use_backend', cond, modePhase(p))
  if (pred === undefined) return
  if (target.includes('%[')) {
    const dynamic = guarded(p, c, `use_backend ${target}`, () => c.rules.compileTemplate(target, rulesCtx(p, c, modePhase(p))))
    if (dynamic !== null) p.switchRules.push({ backend: null, dynamic, cond: pred, where: c.where })
    return
  }
  p.switchRules.push({ backend: target, dynamic: null, cond: pred, where: c.where })
}

/** use-server <server> [if|unless <cond>] */
export function parseUseServer (p: ProxyDraft, c: KwCtx): void {
  const { head, cond } = splitCondition(c.words.slice(1))
  if (head.length !== 1) { alert(c, "'use-server' expects a server name."); return }
  const pred = condition(p, c, 'use-server', cond, modePhase(p))
  if (pred !== undefined) p.useServerRules.push({ server: head[0] as string, cond: pred, where: c.where })
}

export function parseHttpRequest (p: ProxyDraft, c: KwCtx): void {
  if (c.words[1] === undefined) { alert(c, "'http-request' expects an action."); return }
  const rule = guarded(p, c, `http-request ${c.words[1]}`, () => c.rules.compileHttpRequestRule(c.words.slice(1), rulesCtx(p, c, Phase.HttpReq)))
  if (rule !== null) p.httpRequestRules.push(rule)
}

export function parseHttpResponse (p: ProxyDraft, c: KwCtx): void {
  if (c.words[1] === undefined) { alert(c, "'http-response' expects an action."); return }
  const rule = guarded(p, c, `http-response ${c.words[1]}`, () => c.rules.compileHttpResponseRule(c.words.slice(1), rulesCtx(p, c, Phase.HttpRes)))
  if (rule !== null) p.httpResponseRules.push(rule)
}

/** `<kw> inspect-delay <time>` into <into>.inspectDelay */
function parseInspectDelay (c: KwCtx, into: { inspectDelay: number }): void {
  const t = timeArg(c, c.words[2], `${c.words[0] as string} inspect-delay`)
  if (t !== null && noExtra(c, 2)) into.inspectDelay = t
}

/** tcp-request inspect-delay <time> | connection|session|content <action> [if|unless <cond>] */
export function parseTcpRequest (p: ProxyDraft, c: KwCtx): void {
  const sub = c.words[1]
  if (sub === 'inspect-delay') { parseInspectDelay(c, p.tcpRequest); return }
  if (sub === 'content' || sub === 'connection' || sub === 'session') {
    if (sub !== 'content' && (p.caps & Cap.Fe) === 0) { alert(c, `'tcp-request ${sub}' is not allowed in a backend.`); return }
    const compile = c.rules.compileTcpRule
    if (compile === undefined) { warn(c, `'tcp-request ${sub}' rules are not supported here and are ignored.`); return }
    const rule = guarded(p, c, `tcp-request ${sub}`, () => compile(sub, c.words.slice(2), rulesCtx(p, c, 0), p.mode === 'http'))
    if (rule !== null) p.tcpRequest[sub].push(rule)
    return
  }
  alert(c, `'tcp-request' expects 'inspect-delay', 'connection', 'session' or 'content' (got '${sub ?? ''}').`)
}

/** tcp-response inspect-delay <time> | content accept|reject|close|<action> [if|unless <cond>] (backends) */
export function parseTcpResponse (p: ProxyDraft, c: KwCtx): void {
  const sub = c.words[1]
  if (sub === 'inspect-delay') { parseInspectDelay(c, p.tcpResponse); return }
  if (sub !== 'content') { alert(c, `'tcp-response' expects 'inspect-delay' or 'content' (got '${sub ?? ''}').`); return }
  const compile = c.rules.compileTcpResponseRule
  if (compile === undefined) { warn(c, "'tcp-response content' rules are not supported here and are ignored."); return }
  if (p.mode === 'http') warn(c, "'tcp-response content' rules apply to 'mode tcp' only in pocketlb; ignored in this HTTP proxy.")
  const rule = guarded(p, c, 'tcp-response content', () => compile(c.words.slice(2), rulesCtx(p, c, 0)))
  if (rule !== null && p.mode !== 'http') p.tcpResponse.content.push(rule)
}

/** force-persist|ignore-persist if|unless <cond> */
export function parsePersistRule (p: ProxyDraft, c: KwCtx): void {
  const kw = c.words[0] as string
  const { head, cond } = splitCondition(c.words.slice(1))
  if (head.length > 0 || cond === null) { alert(c, `'${kw}' requires either 'if' or 'unless' followed by a condition.`); return }
  const pred = condition(p, c, kw, cond, modePhase(p))
  if (pred !== undefined && pred !== null) p.persistRules.push({ force: kw === 'force-persist', cond: pred })
}

/** capture request|response header <name> len <n> | capture cookie <name> len <n> */
export function parseCapture (p: ProxyDraft, c: KwCtx): void {
  const [, dir, what, name, lenKw, len] = c.words
  if (dir === 'cookie') {
    const [, , cname, clenKw, clen] = c.words
    if (cname === undefined || clenKw !== 'len' || clen === undefined || !/^\d+$/.test(clen) || Number(clen) < 1) {
      alert(c, "'capture cookie' expects <cookie name> 'len' <len>."); return
    }
    if (c.words[5] !== undefined) { alert(c, `'capture cookie' cannot handle unexpected argument '${c.words[5]}'.`); return }
    p.captureCookie = { name: cname, len: Number(clen) }
    return
  }
  if ((dir !== 'request' && dir !== 'response') || what !== 'header') {
    alert(c, "'capture' expects 'cookie', 'request header' or 'response header'."); return
  }
  if (name === undefined || lenKw !== 'len' || len === undefined || !/^\d+$/.test(len) || Number(len) < 1) {
    alert(c, `'capture ${dir} header' expects <header name> 'len' <len>.`); return
  }
  if (c.words[6] !== undefined) { alert(c, `'capture ${dir} header' cannot handle unexpected argument '${c.words[6]}'.`); return }
  const cap = { name, lname: name.toLowerCase(), len: Number(len) }
  if (dir === 'request') p.captures.push(cap); else p.responseCaptures.push(cap)
}

/** declare capture request|response len <n>: a slot for `http-request|response capture … id <n>` */
export function parseDeclare (p: ProxyDraft, c: KwCtx): void {
  const [, what, dir, lenKw, len] = c.words
  if (what !== 'capture') { alert(c, "'declare' only supports 'capture'."); return }
  if (dir !== 'request' && dir !== 'response') { alert(c, "'declare capture' requires a direction ('request' or 'response')"); return }
  if (lenKw !== 'len' || len === undefined) { alert(c, "'declare capture' requires a capture length ('len')"); return }
  if (!/^\d+$/.test(len) || Number(len) < 1) { alert(c, `'declare capture' : invalid length '${len}'`); return }
  if (c.words[5] !== undefined) { alert(c, `'declare capture' cannot handle unexpected argument '${c.words[5]}'.`); return }
  const slot = { name: '', lname: '', len: Number(len) }
  if (dir === 'request') p.captures.push(slot); else p.responseCaptures.push(slot)
}

/** `monitor fail if|unless <cond>` (frontends; several are or-ed). */
export function parseMonitor (p: ProxyDraft, c: KwCtx): void {
  if (c.words[1] !== 'fail') { alert(c, "'monitor' expects 'fail'."); return }
  const { head, cond } = splitCondition(c.words.slice(2))
  if (head.length > 0 || cond === null) { alert(c, "'monitor fail' requires either 'if' or 'unless' followed by a condition."); return }
  const pred = condition(p, c, 'monitor fail', cond, Phase.HttpReq)
  if (pred != null) p.monitorFail.push(pred)
}

/** `stats admin if|unless <cond>` condition, compiled like use_backend's. */
export function statsAdminCondition (p: ProxyDraft, c: KwCtx, words: readonly string[]): Predicate | null | undefined {
  const { head, cond } = splitCondition(words)
  if (head.length > 0 || cond === null) { alert(c, "'stats admin' requires either 'if' or 'unless' followed by a condition."); return undefined }
  return condition(p, c, 'stats admin', cond, Phase.HttpReq)
}
