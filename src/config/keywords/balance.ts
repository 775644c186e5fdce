import type { BalancePlan, CookiePlan, HashTypePlan } from '../plan.ts'
import { DEFAULT_BALANCE, type ProxyDraft } from '../draft.ts'
import { parseTime } from '../durations.ts'
import { alert, type KwCtx } from './types.ts'

/** `balance`, `hash-type` and `cookie` (persistence) of a backend. */

const SIMPLE_ALGOS: ReadonlySet<string> = new Set(['roundrobin', 'static-rr', 'leastconn', 'first', 'source'])

const BALANCE_USAGE = "balance only supports 'roundrobin', 'static-rr', 'leastconn', 'source', 'uri', 'url_param', 'hdr(name)' and 'rdp-cookie(name)' options."

export function parseBalance (p: ProxyDraft, c: KwCtx): void {
  const algoWord = c.words[1]
  const args = c.words.slice(2)
  if (algoWord === undefined) { alert(c, BALANCE_USAGE); return }
  const b = { ...DEFAULT_BALANCE }
  const fn = /^([a-z_-]+)(?:\(([^)]*)\))?$/.exec(algoWord)
  const name = fn?.[1] ?? ''
  const fnArg = fn?.[2]
  const extra = (i: number): boolean => {
    if (args[i] === undefined) return true
    alert(c, `'balance ${algoWord}' : unexpected argument '${args[i]}'.`)
    return false
  }
  if (SIMPLE_ALGOS.has(algoWord)) {
    if (!extra(0)) return
    b.algo = algoWord as BalancePlan['algo']
  } else if (algoWord === 'uri') {
    b.algo = 'uri'
    for (let i = 0; i < args.length; i++) {
      const w = args[i]
      if (w === 'whole') b.uriWhole = true
      else if (w === 'path-only') b.uriPathOnly = true
      else if (w === 'len' || w === 'depth') {
        const v = args[++i]
        if (v === undefined || !/^\d+$/.test(v) || Number(v) === 0) { alert(c, `'balance uri ${w}' expects a positive integer (got '${v ?? ''}').`); return }
        if (w === 'len') b.uriLen = Number(v); else b.uriDepth = Number(v)
      } else { alert(c, "'balance uri' only accepts parameters 'len', 'depth', 'path-only', and 'whole'."); return }
    }
  } else if (algoWord === 'url_param') {
    const param = args[0]
    if (param === undefined) { alert(c, "'balance url_param' requires an URL parameter name."); return }
    b.algo = 'url_param'; b.param = param
    let i = 1
    if (args[i] === 'check_post') { i++; if (args[i] !== undefined && /^\d+$/.test(args[i] as string)) i++ }
    if (!extra(i)) return
  } else if (name === 'hdr') {
    if (fnArg === undefined || fnArg === '') { alert(c, "'balance hdr' requires an http header field name."); return }
    b.algo = 'hdr'; b.hdrName = fnArg.toLowerCase()
    let i = 0
    if (args[0] === 'use_domain_only') { b.hdrDomainOnly = true; i = 1 }
    if (!extra(i)) return
  } else if (name === 'random') {
    b.algo = 'random'
    if (fnArg !== undefined) {
      if (!/^\d+$/.test(fnArg) || Number(fnArg) < 1) { alert(c, "'balance random(<draws>)' expects a positive integer."); return }
      b.draws = Number(fnArg)
    }
    if (!extra(0)) return
  } else if (name === 'rdp-cookie') {
    b.algo = 'rdp-cookie'; b.param = fnArg === undefined || fnArg === '' ? 'mstshash' : fnArg
    if (!extra(0)) return
  } else { alert(c, BALANCE_USAGE); return }
  p.balance = b
}

const HASH_FNS: ReadonlySet<string> = new Set(['sdbm', 'djb2', 'wt6', 'crc32', 'none'])

export function parseHashType (p: ProxyDraft, c: KwCtx): void {
  const [, method, fn, mod, extra] = c.words
  if (method !== 'map-based' && method !== 'consistent') { alert(c, "'hash-type' only supports 'consistent' and 'map-based'."); return }
  if (fn !== undefined && !HASH_FNS.has(fn)) { alert(c, `'hash-type' : unknown hash function '${fn}'. Supported: sdbm, djb2, wt6, crc32, none.`); return }
  if (mod !== undefined && mod !== 'avalanche') { alert(c, `'hash-type' : unknown hash modifier '${mod}'; only 'avalanche' is supported.`); return }
  if (extra !== undefined) { alert(c, `'hash-type' cannot handle unexpected argument '${extra}'.`); return }
  // HAProxy: `hash-type consistent` without a function also applies avalanche
  const plan: HashTypePlan = { method, fn: (fn ?? 'sdbm') as HashTypePlan['fn'], avalanche: mod === 'avalanche' || (fn === undefined && method === 'consistent') }
  p.hashType = plan
}

const COOKIE_MODES: ReadonlySet<string> = new Set(['insert', 'rewrite', 'prefix'])
const COOKIE_FLAGS: ReadonlySet<string> = new Set(['indirect', 'nocache', 'postonly', 'preserve', 'httponly', 'secure', 'dynamic'])

/** The first character a cookie attribute may not hold (a control character or ';'), as two
 *  upper-case hex digits the way HAProxy names it, or null when <value> is clean. */
function forbiddenAttrChar (value: string): string | null {
  for (let i = 0; i < value.length; i++) {
    const code = value.charCodeAt(i)
    if (code < 0x20 || code === 0x7f || code === 0x3b) return code.toString(16).toUpperCase().padStart(2, '0')
  }
  return null
}

export function parseCookie (p: ProxyDraft, c: KwCtx): void {
  const name = c.words[1]
  if (name === undefined || name === '') { alert(c, "'cookie' expects <cookie_name> as argument."); return }
  let mode: CookiePlan['mode'] = 'passive'
  const flags = new Set<string>()
  const domain: string[] = []
  const attrs: string[] = []
  let maxidle = 0; let maxlife = 0
  const args = c.words.slice(2)
  for (let i = 0; i < args.length; i++) {
    const w = args[i] as string
    if (COOKIE_MODES.has(w)) {
      if (mode !== 'passive') { alert(c, "'cookie' : 'rewrite', 'insert' and 'prefix' options are mutually exclusive."); return }
      mode = w as CookiePlan['mode']
    } else if (COOKIE_FLAGS.has(w)) flags.add(w)
    else if (w === 'domain') {
      const v = args[++i]
      if (v === undefined) { alert(c, "'cookie' : 'domain' requires a value."); return }
      domain.push(v)
    } else if (w === 'attr') {
      const v = args[++i]
      if (v === undefined) { alert(c, "'attr' expects <value> as argument."); return }
      const bad = forbiddenAttrChar(v)
      if (bad !== null) { alert(c, `character '%x${bad}' is not permitted in attribute value.`); return }
      attrs.push(v)
    } else if (w === 'maxidle' || w === 'maxlife') {
      const t = parseTime(args[++i] ?? '', 's')
      if (typeof t !== 'number') { alert(c, `'cookie' : ${t.error} in '${w}'.`); return }
      if (w === 'maxidle') maxidle = t; else maxlife = t
    } else {
      alert(c, "'cookie' supports 'rewrite', 'insert', 'prefix', 'indirect', 'nocache', 'postonly', 'domain', 'maxidle', 'dynamic', 'attr' and 'maxlife' options.")
      return
    }
  }
  if (flags.has('preserve') && mode !== 'insert') { alert(c, "'cookie' : option 'preserve' requires 'insert'."); return }
  p.cookie = {
    name, mode, indirect: flags.has('indirect'), nocache: flags.has('nocache'), postonly: flags.has('postonly'),
    preserve: flags.has('preserve'), httponly: flags.has('httponly'), secure: flags.has('secure'), domain, attrs,
    maxidle, maxlife, dynamic: flags.has('dynamic')
  }
}
