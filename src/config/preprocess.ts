import type { Where } from '../core/where.ts'
import type { Diagnostics } from './messages.ts'

/** Conditional blocks and messages of HAProxy's configuration preprocessor:
 *  `.if/.elif/.else/.endif` (nested), `.diag/.notice/.warning/.alert`.
 *  Fed every lexed line in order; tells whether the line is active. */

/** HAProxy version we behave like, for version_atleast()/version_before(). */
export const COMPAT_VERSION = '2.6.0'

/** Build features reported by feature(<name>). */
export const FEATURES: ReadonlySet<string> = new Set(['OPENSSL', 'LINUX_TPROXY', 'GETADDRINFO', 'TPROXY'])

interface Block {
  /** a branch of this block was already taken (later .elif/.else are skipped) */
  taken: boolean
  /** lines of the current branch are kept */
  active: boolean
  /** the enclosing block is active */
  parentActive: boolean
  seenElse: boolean
  where: Where
}

export class Preprocessor {
  private readonly stack: Block[] = []

  constructor (private readonly diags: Diagnostics, private readonly hasVar: (name: string) => boolean) {}

  get active (): boolean { return this.stack.length === 0 || (this.stack[this.stack.length - 1] as Block).active }

  /** Handles <words> when it is a directive and returns true (the caller drops
   *  the line); returns false for ordinary lines. */
  directive (words: readonly string[], where: Where): boolean {
    const kw = words[0] ?? ''
    if (!kw.startsWith('.')) return false
    const rest = words.slice(1)
    const top = this.stack[this.stack.length - 1]
    switch (kw) {
      case '.if': {
        const parentActive = this.active
        const cond = parentActive ? this.evaluate(rest, where) : false
        this.stack.push({ taken: cond, active: cond, parentActive, seenElse: false, where })
        return true
      }
      case '.elif':
      case '.else':
        if (top === undefined) { this.diags.alert(where, `'${kw}' with no matching '.if'.`); return true }
        if (top.seenElse) { this.diags.alert(where, `'${kw}' after '.else' is not permitted.`); return true }
        if (kw === '.else') {
          top.seenElse = true
          top.active = top.parentActive && !top.taken
        } else {
          const cond = top.parentActive && !top.taken ? this.evaluate(rest, where) : false
          top.active = cond
        }
        top.taken ||= top.active
        return true
      case '.endif':
        if (this.stack.pop() === undefined) this.diags.alert(where, "'.endif' with no matching '.if'.")
        return true
    }
    if (!this.active) return true
    const text = `'${rest.join(' ')}'.`
    switch (kw) {
      case '.diag': case '.notice': this.diags.notice(where, text); return true
      case '.warning': this.diags.warn(where, text); return true
      case '.alert': this.diags.alert(where, text); return true
    }
    this.diags.alert(where, `unknown directive '${kw}'.`)
    return true
  }

  /** Called at the end of each file: unterminated blocks are errors. */
  endOfFile (): void {
    for (const b of this.stack.splice(0)) this.diags.alert(b.where, "non-terminated '.if' block.")
  }

  private evaluate (words: readonly string[], where: Where): boolean {
    const r = evalCondition(words.join(' '), this.hasVar)
    if (typeof r === 'boolean') return r
    this.diags.alert(where, `${r.error} in '.if ${words.join(' ')}'.`)
    return false
  }
}

/** Evaluates a `.if` expression: terms `defined(V)`, `feature(F)`, `streq(a,b)`,
 *  `strneq(a,b)`, `version_atleast(X)`, `version_before(X)`, numbers (0 = false),
 *  combined with `!`, `&&`, `||` and parentheses. */
export function evalCondition (text: string, hasVar: (name: string) => boolean): boolean | { error: string } {
  const toks = text.match(/\s*(&&|\|\||!|\(|\)|[A-Za-z_][A-Za-z0-9_]*\([^()]*\)|[^\s!()&|]+)/g)?.map(t => t.trim()) ?? []
  let pos = 0
  const fail = (error: string): never => { throw new CondError(error) }
  const term = (tok: string): boolean => {
    const m = /^([A-Za-z_][A-Za-z0-9_]*)\(([^()]*)\)$/.exec(tok)
    if (m === null) {
      if (/^-?\d+$/.test(tok)) return Number(tok) !== 0
      return fail(`unparsable conditional expression '${tok}'`)
    }
    const args = (m[2] as string).split(',').map(a => a.trim())
    const one = (): string => args.length === 1 ? args[0] as string : fail(`'${m[1]}' expects one argument`)
    const two = (): [string, string] => args.length === 2 ? [args[0] as string, args[1] as string] : fail(`'${m[1]}' expects two arguments`)
    switch (m[1]) {
      case 'defined': return hasVar(one())
      case 'feature': return FEATURES.has(one())
      case 'streq': { const [a, b] = two(); return a === b }
      case 'strneq': { const [a, b] = two(); return a !== b }
      case 'version_atleast': return compareVersions(COMPAT_VERSION, one()) >= 0
      case 'version_before': return compareVersions(COMPAT_VERSION, one()) < 0
    }
    return fail(`unknown term '${m[1]}'`)
  }
  const unary = (): boolean => {
    const t = toks[pos++]
    if (t === undefined) return fail('missing term')
    if (t === '!') return !unary()
    if (t === '(') {
      const v = or()
      if (toks[pos++] !== ')') fail("missing ')'")
      return v
    }
    return term(t)
  }
  const and = (): boolean => { let v = unary(); while (toks[pos] === '&&') { pos++; const r = unary(); v = v && r } return v }
  const or = (): boolean => { let v = and(); while (toks[pos] === '||') { pos++; const r = and(); v = v || r } return v }
  try {
    const v = or()
    if (pos < toks.length) return { error: `unexpected '${toks[pos]}'` }
    return v
  } catch (e) {
    if (e instanceof CondError) return { error: e.message }
    throw e
  }
}

class CondError extends Error {}

/** Compares dotted versions numerically ("2.6.0" vs "2.4"); missing parts are 0,
 *  a "-dev"/"-rc" suffix sorts before the release. */
export function compareVersions (a: string, b: string): number {
  const parse = (v: string): number[] => {
    const [main, pre] = v.split('-', 2)
    const parts = (main ?? '').split('.').map(x => Number(x) || 0)
    while (parts.length < 3) parts.push(0)
    parts.push(pre === undefined ? 1 : 0)
    return parts
  }
  const pa = parse(a); const pb = parse(b)
  for (let i = 0; i < pa.length; i++) {
    const d = (pa[i] as number) - (pb[i] as number)
    if (d !== 0) return d
  }
  return 0
}
