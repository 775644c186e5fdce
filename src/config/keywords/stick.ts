import { Phase, RulesError, type Predicate } from '../../rules/types.ts'
import type { ProxyDraft } from '../draft.ts'
import type { StickRulePlan } from '../plan.ts'
import { alert, warn, type KwCtx } from './types.ts'
import { splitCondition } from './rules.ts'

/** `stick-table` and `stick match|on|store-request|store-response` of a proxy
 *  (HAProxy cfgparse-listen.c). The table of a proxy is named after it. */

export function parseStickTable (p: ProxyDraft, c: KwCtx): void {
  if (c.tables === undefined) { alert(c, "'stick-table' is not supported here."); return }
  if (c.words.includes('peers')) warn(c, "'stick-table' : 'peers' accepted but tables are not synchronised (no peers on this device).")
  try {
    c.tables.declare(p.name, c.words.slice(1))
  } catch (e) {
    if (!(e instanceof RulesError)) throw e
    alert(c, `${p.kind} '${p.name}': ${e.message}.`)
  }
}

const STICK_KINDS: Readonly<Record<string, { match: boolean; store: StickRulePlan['store'] }>> = {
  match: { match: true, store: 'none' },
  on: { match: true, store: 'request' },
  'store-request': { match: false, store: 'request' },
  'store-response': { match: false, store: 'response' }
}

/** stick <kind> <pattern> [table <t>] [if|unless <cond>] */
export function parseStick (p: ProxyDraft, c: KwCtx): void {
  const kind = STICK_KINDS[c.words[1] ?? '']
  if (kind === undefined) { alert(c, `'stick' expects 'match', 'on', 'store-request' or 'store-response' (got '${c.words[1] ?? ''}').`); return }
  const { head, cond } = splitCondition(c.words.slice(2))
  const pattern = head[0]
  if (pattern === undefined) { alert(c, `'stick ${c.words[1]}' expects a pattern expression.`); return }
  let tableName = p.name
  if (head[1] === 'table') {
    if (head[2] === undefined) { alert(c, `'stick ${c.words[1]}' : missing table name after 'table'.`); return }
    tableName = head[2]
  } else if (head[1] !== undefined) { alert(c, `'stick ${c.words[1]}' : unexpected word '${head[1]}'.`); return }
  if (head.length > 3) { alert(c, `'stick ${c.words[1]}' : unexpected word '${head[3]}'.`); return }
  if (c.tables === undefined || c.rules.compileSampleExpr === undefined) { alert(c, "'stick' is not supported here."); return }
  const phase = kind.store === 'response' ? Phase.HttpRes : (p.mode === 'http' ? Phase.HttpReq : Phase.L4Content)
  const ctx = { acls: p.acls, baseDir: c.baseDir, phase, warn: (m: string) => warn(c, m), tables: c.tables, proxy: p.name }
  try {
    const key = c.rules.compileSampleExpr(pattern, ctx)
    let pred: Predicate | null = null
    if (cond !== null) {
      const test = c.rules.compileCondition(cond.words, ctx)
      pred = cond.negate ? s => !test(s) : test
    }
    p.stickRules.push({ match: kind.match, store: kind.store, key, table: c.tables.ref(tableName), cond: pred, where: c.where })
  } catch (e) {
    if (!(e instanceof RulesError)) throw e
    alert(c, `error detected in ${p.kind} '${p.name}' while parsing 'stick ${c.words[1]}' : ${e.message}`)
  }
}
