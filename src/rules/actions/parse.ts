import type { ActionTarget, RuleOutcome, Template } from '../types.ts'
import { RulesError } from '../types.ts'
import type { CompileCtx } from '../sample.ts'
import { compileTemplateText } from '../template.ts'
import type { SampleFn } from '../sample.ts'
import { parseExpr } from '../expr-parse.ts'
import { compileParsed } from '../expr.ts'

/** What an action keyword parser gets: the rule's words, the index of the
 *  first word after the keyword, the argument in the keyword's parentheses
 *  (`set-var(txn.x)`), and the compile context of the place. */
export interface ActionCtx extends CompileCtx {
  readonly phase: number
}

export type ActionRun = (t: ActionTarget) => RuleOutcome

export interface ParsedAction { readonly run: ActionRun; readonly next: number }

export type ActionParser = (words: readonly string[], i: number, paren: string | null, cc: ActionCtx) => ParsedAction

export const CONTINUE: RuleOutcome = Object.freeze({ kind: 'continue' })

/** True when <w> starts the rule's condition (the action's arguments end there). */
export function isCondWord (w: string | undefined): boolean { return w === 'if' || w === 'unless' }

/** Mandatory argument at <i> (not a condition word). */
export function arg (words: readonly string[], i: number, what: string, keyword: string): string {
  const w = words[i]
  if (w === undefined || isCondWord(w)) throw new RulesError(`'${keyword}' expects ${what}`)
  return w
}

export function template (text: string, cc: ActionCtx): Template {
  return compileTemplateText(text, cc, cc.phase)
}

export function statusArg (text: string, keyword: string, min = 200, max = 599): number {
  const n = /^\d+$/.test(text) ? Number(text) : NaN
  if (!(n >= min && n <= max)) throw new RulesError(`'${keyword}' : status code must be between ${min} and ${max}, got '${text}'`)
  return n
}

/** A whole-word sample expression argument, compiled for the rule's place. */
export function sampleArg (text: string, cc: ActionCtx, keyword: string): SampleFn {
  const p = parseExpr(text)
  if (p.end !== text.length) throw new RulesError(`'${keyword}' : unexpected text '${text.slice(p.end)}' after the sample expression`)
  return compileParsed(p, cc, cc.phase).fn
}
