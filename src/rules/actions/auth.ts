import type { RuleOutcome } from '../types.ts'
import { RulesError } from '../types.ts'
import type { ActionParser } from './parse.ts'
import { isCondWord } from './parse.ts'

/** `http-request auth [realm <realm>]` (HAProxy http_act.c): answers 401
 *  asking for Basic credentials; the realm defaults to the proxy's name. */
const auth: ActionParser = (words, i, _paren, cc) => {
  let realm = cc.proxy ?? ''
  if (words[i] === 'realm') {
    const r = words[i + 1]
    if (r === undefined || isCondWord(r)) throw new RulesError('missing realm value.')
    realm = r
    i += 2
  }
  const outcome: RuleOutcome = Object.freeze({ kind: 'auth', realm })
  return { run: () => outcome, next: i }
}

export const AUTH_ACTIONS: Readonly<Record<string, ActionParser>> = { auth }
