import type { ActionTarget, HttpRule, Predicate, RuleOutcome, RulesCtx, SampleExpr, Template } from './types.ts'
import { Phase, RulesError } from './types.ts'
import { compileCtxOf, type PlaceCtx } from './compile-ctx.ts'
import { parseExpr } from './expr-parse.ts'
import { compileParsed } from './expr.ts'
import { compileAclWords, predicateUse, withUse } from './acl.ts'
import { anyOf, compileConditionWords } from './condition.ts'
import { compileTemplateText } from './template.ts'
import type { ActionParser } from './actions/parse.ts'
import { CONTINUE, isCondWord } from './actions/parse.ts'
import { HTTP_REQUEST_ACTIONS, HTTP_RESPONSE_ACTIONS } from './actions/index.ts'

/** Public entry points of the rules engine, called by config/ at load time.
 *  Every function throws RulesError (config/ prefixes file:line). */

const compileCtx = (ctx: RulesCtx): PlaceCtx => compileCtxOf(ctx, ctx.phase)

/** <words> = what follows `acl <name>`. The place is checked where the ACL is used. */
export function compileAcl (words: string[], ctx: RulesCtx): Predicate {
  return compileAclWords(words, compileCtx(ctx), 0)
}

/** Records ACL <name>: several `acl` lines with one name are ORed (HAProxy). */
export function mergeAcl (ctx: RulesCtx, name: string, pred: Predicate): void {
  const existing = ctx.acls.get(name)
  ctx.acls.set(name, existing === undefined ? pred : withUse(anyOf([existing, pred]), predicateUse(existing) | predicateUse(pred)))
}

/** <words> = what follows `if`/`unless` (the caller negates for unless). */
export function compileCondition (words: string[], ctx: RulesCtx): Predicate {
  return compileConditionWords(words, compileCtx(ctx))
}

/** "req.hdr(host),lower,map_dom(/f.map,bk_default)" */
export function compileSampleExpr (text: string, ctx: RulesCtx): SampleExpr {
  const p = parseExpr(text)
  if (p.end !== text.length) throw new RulesError(`unexpected text '${text.slice(p.end)}' after sample expression '${text.slice(0, p.end)}'`)
  return compileParsed(p, compileCtx(ctx), ctx.phase).fn
}

/** "%[req.hdr(Host),lower]%[req.uri,lower]" or plain text */
export function compileTemplate (text: string, ctx: RulesCtx): Template {
  return compileTemplateText(text, compileCtx(ctx), ctx.phase)
}

/** Splits `<action...> [if|unless <cond>]` and compiles both. HttpRule.run
 *  does NOT test the condition: callers (or runRules) test `cond` first. */
function compileRule (words: string[], ctx: RulesCtx, table: ReadonlyMap<string, ActionParser>, what: string): HttpRule {
  if (words.length === 0) throw new RulesError(`'${what}' expects an action`)
  const cc = compileCtx(ctx)
  const keyword = words[0]
  const open = keyword.indexOf('(')
  const name = open < 0 ? keyword : keyword.slice(0, open)
  let paren: string | null = null
  if (open >= 0) {
    if (!keyword.endsWith(')')) throw new RulesError(`'${what} ${keyword}' : missing closing ')'`)
    paren = keyword.slice(open + 1, -1)
  }
  const parser = table.get(name)
  if (parser === undefined) {
    throw new RulesError(`'${what}' expects one of ${[...table.keys()].map(k => `'${k}'`).join(', ')}, but got '${name}'`)
  }
  const action = parser(words, 1, paren, cc)
  const rest = words.slice(action.next)
  let cond: Predicate | null = null
  if (rest.length > 0) {
    if (!isCondWord(rest[0])) throw new RulesError(`'${what} ${name}' : unexpected word '${rest[0]}' (expects 'if' or 'unless')`)
    const c = compileConditionWords(rest.slice(1), cc)
    cond = rest[0] === 'if' ? c : (s => !c(s))
  }
  return { cond, run: action.run }
}

/** <words> = what follows `http-request`. */
export function compileHttpRequestRule (words: string[], ctx: RulesCtx): HttpRule {
  return compileRule(words, ctx, HTTP_REQUEST_ACTIONS, 'http-request')
}

/** <words> = what follows `http-response`. */
export function compileHttpResponseRule (words: string[], ctx: RulesCtx): HttpRule {
  return compileRule(words, ctx, HTTP_RESPONSE_ACTIONS, 'http-response')
}

/** Runs <rules> in order on <t> until one gives a verdict other than
 *  'continue' (allow stops the list too, as in HAProxy). */
export function runRules (rules: readonly HttpRule[], t: ActionTarget): RuleOutcome {
  for (let i = 0; i < rules.length; i++) {
    const r = rules[i]
    if (r.cond !== null && !r.cond(t)) continue
    const out = r.run(t)
    if (out.kind !== 'continue') return out
  }
  return CONTINUE
}

export { Phase, RulesError }
export { MapStore, defaultMapStore } from './maps.ts'
