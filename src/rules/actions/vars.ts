import { RulesError } from '../types.ts'
import { checkVarName } from '../vars.ts'
import { parseExpr } from '../expr-parse.ts'
import { compileParsed } from '../expr.ts'
import type { ActionParser } from './parse.ts'
import { arg, template, CONTINUE } from './parse.ts'

/** set-var(<name>) <expr> / set-var-fmt(<name>) <fmt> / unset-var(<name>).
 *  A missing sample leaves the variable unchanged, as in HAProxy. */
function varName (paren: string | null, keyword: string): string {
  if (paren === null || paren === '') throw new RulesError(`'${keyword}' expects a variable name between parentheses`)
  return checkVarName(paren)
}

const setVar: ActionParser = (words, i, paren, cc) => {
  const name = varName(paren, 'set-var')
  const text = arg(words, i, 'a sample expression', 'set-var')
  const p = parseExpr(text)
  if (p.end !== text.length) throw new RulesError(`'set-var' : unexpected text '${text.slice(p.end)}' after the sample expression`)
  const fn = compileParsed(p, cc, cc.phase).fn
  return { run: t => { const v = fn(t); if (v !== undefined) t.vars.set(name, v); return CONTINUE }, next: i + 1 }
}

const setVarFmt: ActionParser = (words, i, paren, cc) => {
  const name = varName(paren, 'set-var-fmt')
  const fmt = template(arg(words, i, 'a log-format string', 'set-var-fmt'), cc)
  return { run: t => { t.vars.set(name, fmt(t)); return CONTINUE }, next: i + 1 }
}

const unsetVar: ActionParser = (_words, i, paren) => {
  const name = varName(paren, 'unset-var')
  return { run: t => { t.vars.delete(name); return CONTINUE }, next: i }
}

export const VAR_ACTIONS: Readonly<Record<string, ActionParser>> = {
  'set-var': setVar,
  'set-var-fmt': setVarFmt,
  'unset-var': unsetVar
}
