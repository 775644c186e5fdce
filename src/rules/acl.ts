import { readFileSync } from 'node:fs'
import { isAbsolute, join } from 'node:path'
import type { StreamView } from '../core/stream-view.ts'
import type { Predicate } from './types.ts'
import { RulesError } from './types.ts'
import type { CompileCtx, Sample } from './sample.ts'
import { castFn } from './sample.ts'
import { parseExpr } from './expr-parse.ts'
import { compileParsed } from './expr.ts'
import type { CompiledExpr } from './expr.ts'
import { FETCHES } from './registry.ts'
import { buildLookup, methodInput, MATCH_METHODS } from './pattern.ts'
import type { MatchMethod, PatternEntry } from './pattern.ts'

/** ACLs (HAProxy acl.c): `<fetch>[,conv...] [flags] [operator] <patterns...>`
 *  compiled into a Predicate. Where a predicate may run is remembered beside
 *  it so conditions can refuse an ACL used where its fetch cannot work. */
const aclUse = new WeakMap<Predicate, number>()

/** Phase bits where <p> can work (all bits when unknown). */
export function predicateUse (p: Predicate): number { return aclUse.get(p) ?? 0xff }

export function withUse (p: Predicate, use: number): Predicate { aclUse.set(p, use); return p }

/** ACL-only keywords `<fetch>_<method>` (hdr_beg = hdr + beg) as HAProxy 2.6 lists them. */
const SUFFIX_METHODS: Readonly<Record<string, MatchMethod>> = { beg: 'beg', dir: 'dir', dom: 'dom', end: 'end', len: 'len', reg: 'reg', sub: 'sub' }
const HAPROXY_SHORTCUT_BASES = new Set(['base', 'cook', 'hdr', 'path', 'url', 'urlp', 'shdr', 'scook'])

/** Splits an ACL keyword like `hdr_beg(Host)` into fetch text and implied method. */
function splitShortcut (word: string, cc: CompileCtx): { text: string; method: MatchMethod | null } {
  const nameEnd = word.search(/[(,]/)
  const name = nameEnd < 0 ? word : word.slice(0, nameEnd)
  if (FETCHES.has(name)) return { text: word, method: null }
  const m = /^(.+)_([a-z]+)$/.exec(name)
  if (m !== null && SUFFIX_METHODS[m[2]] !== undefined && FETCHES.has(m[1])) {
    if (!HAPROXY_SHORTCUT_BASES.has(m[1])) cc.warn(`ACL keyword '${name}' is not in HAProxy 2.6, use '${m[1]} -m ${m[2]}' (pocketlb extension)`)
    return { text: m[1] + word.slice(name.length), method: SUFFIX_METHODS[m[2]] }
  }
  return { text: word, method: null }
}

function defaultMethod (e: CompiledExpr): MatchMethod {
  switch (e.type) {
    case 'bool': return 'bool'
    case 'int': return 'int'
    case 'ip': return 'ip'
    case 'bin': return 'bin'
    case 'meth': return 'meth'
    default: return 'str'
  }
}

const INT_OPERATORS = new Set(['eq', 'ge', 'gt', 'le', 'lt'])

/** "ge 5" → "5:" and friends: int patterns are inclusive ranges. */
function operatorRange (op: string, word: string): string {
  if (!/^[-+]?\d+$/.test(word)) throw new RulesError(`'${word}' is not a number`)
  const n = Number(word)
  switch (op) {
    case 'ge': return `${n}:`
    case 'gt': return `${n + 1}:`
    case 'le': return `:${n}`
    case 'lt': return `:${n - 1}`
    default: return String(n)
  }
}

function readPatternFile (path: string): string[] {
  let text: string
  try { text = readFileSync(path, 'latin1') } catch (err) {
    throw new RulesError(`failed to open pattern file '${path}': ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`)
  }
  return text.split('\n').map(l => l.replace(/\r$/, '').trim()).filter(l => l !== '' && !l.startsWith('#'))
}

/** Compiles the words of one ACL. <phase> 0 = do not check the place (named
 *  ACLs), else the expression must work there (anonymous ACLs). */
export function compileAclWords (words: readonly string[], cc: CompileCtx, phase: number): Predicate {
  if (words.length === 0) throw new RulesError('missing ACL expression')
  const short = splitShortcut(words[0], cc)
  const parsed = parseExpr(short.text)
  if (parsed.end !== short.text.length) throw new RulesError(`unexpected text '${short.text.slice(parsed.end)}' after sample expression '${short.text.slice(0, parsed.end)}'`)
  const expr = compileParsed(parsed, cc, phase)

  let method: MatchMethod | null = short.method
  let icase = false
  const keys: string[] = []
  let i = 1
  for (; i < words.length; i++) {
    const w = words[i]
    if (w === '-i') icase = true
    else if (w === '-n' || w === '-M') continue
    else if (w === '-u') i++
    else if (w === '-f') {
      const file = words[++i]
      if (file === undefined) throw new RulesError("'-f' expects a file name")
      keys.push(...readPatternFile(isAbsolute(file) ? file : join(cc.baseDir, file)))
    } else if (w === '-m') {
      const m = words[++i]
      if (m === undefined || !MATCH_METHODS.has(m)) throw new RulesError(`'-m' expects a valid match method, got '${m ?? ''}'`)
      if (short.method !== null) throw new RulesError(`'-m ${m}' conflicts with the match method implied by '${words[0]}'`)
      method = m as MatchMethod
    } else if (w === '--') { i++; break } else if (w.startsWith('-') && w.length > 1 && !/^-\d/.test(w)) {
      throw new RulesError(`'${w}' is not a valid ACL option. Please use '--' before any pattern beginning with a '-'`)
    } else break
  }
  const own = FETCHES.get(parsed.fetch.name)?.aclMatch
  if (own !== undefined && method === null && parsed.convs.length === 0) {
    return withUse(own(parsed.fetch.args ?? [], words.slice(i), cc), expr.use)
  }
  method ??= defaultMethod(expr)
  for (; i < words.length; i++) {
    const w = words[i]
    if ((method === 'int' || method === 'len') && INT_OPERATORS.has(w)) {
      const next = words[++i]
      if (next === undefined) throw new RulesError(`missing value after operator '${w}'`)
      keys.push(operatorRange(w, next))
    } else keys.push(w)
  }
  const pred = matchPredicate(expr, method, keys, icase, words, cc)
  return withUse(pred, expr.use)
}

function matchPredicate (expr: CompiledExpr, method: MatchMethod, keys: string[], icase: boolean, words: readonly string[], cc: CompileCtx): Predicate {
  if (method === 'found') {
    if (keys.length > 0) throw new RulesError("match method 'found' takes no pattern")
    if (expr.some !== null) return expr.some(() => true)
    const fn = expr.fn
    return s => fn(s) !== undefined
  }
  let test: (v: Sample) => boolean
  const cast = castFn(expr.type, methodInput(method))
  if (cast === 'never') throw new RulesError(`match method '${method}' cannot be used with a sample of type '${expr.type}'`)
  if (method === 'bool') {
    if (keys.length > 0) throw new RulesError("match method 'bool' takes no pattern")
    test = v => v === true
  } else {
    if (keys.length === 0 && !words.includes('--')) {
      cc.warn(`parsing acl keyword '${words[0]}' :\n  no pattern to match against were provided, so this ACL will never match.\n  If this is what you intended, please add '--' to get rid of this warning.\n  If you intended to match only for existence, please use '-m found'.\n  If you wanted to force an int to match as a bool, please use '-m bool'.`)
    }
    const entries: PatternEntry[] = keys.map(key => ({ key, value: '' }))
    const lookup = buildLookup(method, entries, icase)
    test = v => lookup(v) !== undefined
  }
  const visit = cast === null
    ? (v: Sample) => test(v)
    : (v: Sample) => { const x = cast(v); return x !== undefined && test(x) }
  if (expr.some !== null) return expr.some(visit)
  const fn = expr.fn
  return (s: StreamView) => { const v = fn(s); return v !== undefined && visit(v) }
}
