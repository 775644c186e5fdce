import type { StreamView } from '../core/stream-view.ts'
import type { ActionTarget, Predicate, RulesCtx } from './types.ts'
import { Phase, RulesError } from './types.ts'
import { compileConditionWords } from './condition.ts'
import { compileCtxOf } from './compile-ctx.ts'
import type { ActionParser } from './actions/parse.ts'
import { isCondWord } from './actions/parse.ts'
import { TRACK_ACTIONS } from './actions/track.ts'
import { VAR_ACTIONS } from './actions/vars.ts'

/** `tcp-request connection|session|content` and `tcp-response content`
 *  rules (HAProxy tcp_rules.c): accept, reject (and close for responses) and
 *  the actions that only touch the stream (track-sc, stick counters,
 *  variables). Verdicts are numbers: no allocation. */
export const TcpVerdict = { Continue: 0, Accept: 1, Reject: 2, Close: 3 } as const
export type TcpVerdictT = typeof TcpVerdict[keyof typeof TcpVerdict]

export interface TcpRule {
  readonly cond: Predicate | null
  run (s: StreamView): TcpVerdictT
}

export type TcpRuleSet = 'connection' | 'session' | 'content'

/** Final verdicts; silent-drop closes like reject here (no RST trickery). */
const REQUEST_VERDICTS: ReadonlyMap<string, TcpVerdictT> = new Map([
  ['accept', TcpVerdict.Accept], ['reject', TcpVerdict.Reject], ['silent-drop', TcpVerdict.Reject]
])
const RESPONSE_VERDICTS: ReadonlyMap<string, TcpVerdictT> = new Map([
  ['accept', TcpVerdict.Accept], ['reject', TcpVerdict.Reject], ['close', TcpVerdict.Close], ['silent-drop', TcpVerdict.Reject]
])

/** Actions that act on the stream and let the rules go on. */
const REQUEST_ACTIONS: ReadonlyMap<string, ActionParser> = new Map(Object.entries({ ...TRACK_ACTIONS, ...VAR_ACTIONS }))
const RESPONSE_ACTIONS: ReadonlyMap<string, ActionParser> = new Map(Object.entries(VAR_ACTIONS))

interface RuleKind {
  readonly label: string
  readonly phase: number
  readonly verdicts: ReadonlyMap<string, TcpVerdictT>
  readonly actions: ReadonlyMap<string, ActionParser>
  readonly expectProxy: boolean
}

/** <words> follow `tcp-request <set>`. Content rules of an HTTP proxy may read HTTP fetches. */
export function compileTcpRule (set: TcpRuleSet, words: string[], ctx: RulesCtx, http: boolean): TcpRule {
  return compileRuleOf({
    label: `tcp-request ${set}`,
    phase: set === 'content' ? Phase.L4Content | (http ? Phase.HttpReq : 0) : Phase.L4Conn,
    verdicts: REQUEST_VERDICTS,
    actions: REQUEST_ACTIONS,
    expectProxy: set === 'connection'
  }, words, ctx)
}

/** <words> follow `tcp-response content`. */
export function compileTcpResponseRule (words: string[], ctx: RulesCtx): TcpRule {
  return compileRuleOf({ label: 'tcp-response content', phase: Phase.L4Response, verdicts: RESPONSE_VERDICTS, actions: RESPONSE_ACTIONS, expectProxy: false }, words, ctx)
}

function compileRuleOf (k: RuleKind, words: string[], ctx: RulesCtx): TcpRule {
  const keyword = words[0]
  if (keyword === undefined) throw new RulesError(`'${k.label}' expects an action`)
  const cc = compileCtxOf(ctx, k.phase)
  const open = keyword.indexOf('(')
  const name = open < 0 ? keyword : keyword.slice(0, open)
  const paren = open < 0 ? null : keyword.slice(open + 1, keyword.endsWith(')') ? -1 : undefined)
  let run: TcpRule['run']
  let next = 1
  const final = k.verdicts.get(name)
  if (final !== undefined) {
    run = () => final
  } else if (name === 'expect-proxy' && k.expectProxy) {
    // accepted: a PROXY header is read by `bind ... accept-proxy`
    if (words[1] !== 'layer4') throw new RulesError("'tcp-request connection expect-proxy' only supports 'layer4'")
    run = () => TcpVerdict.Continue
    next = 2
  } else {
    const parser = k.actions.get(name)
    if (parser === undefined) {
      const known = [...k.verdicts.keys(), ...k.actions.keys(), ...(k.expectProxy ? ['expect-proxy'] : [])]
      throw new RulesError(`'${k.label}' expects ${known.map(w => `'${w}'`).join(', ')}, but got '${keyword}'`)
    }
    const a = parser(words, 1, paren, cc)
    next = a.next
    // WHY the cast: these actions read and change only the stream view, never a message head
    const act = a.run
    run = s => { act(s as ActionTarget); return TcpVerdict.Continue }
  }
  const rest = words.slice(next)
  let cond: Predicate | null = null
  if (rest.length > 0) {
    if (!isCondWord(rest[0])) throw new RulesError(`'${k.label} ${name}' : unexpected word '${rest[0]}' (expects 'if' or 'unless')`)
    const c = compileConditionWords(rest.slice(1), cc)
    cond = rest[0] === 'if' ? c : (s => !c(s))
  }
  return { cond, run }
}

/** Runs <rules> until accept or reject; Continue when none decided. */
export function runTcpRules (rules: readonly TcpRule[], s: StreamView): TcpVerdictT {
  for (let i = 0; i < rules.length; i++) {
    const r = rules[i]
    if (r.cond !== null && !r.cond(s)) continue
    const v = r.run(s)
    if (v !== TcpVerdict.Continue) return v
  }
  return TcpVerdict.Continue
}
