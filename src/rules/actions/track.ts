import type { StreamView } from '../../core/stream-view.ts'
import { Phase, RulesError } from '../types.ts'
import { parseExpr } from '../expr-parse.ts'
import { compileParsed } from '../expr.ts'
import { leadingInt } from '../sample.ts'
import { DT } from '../stick/data-types.ts'
import { toKey } from '../stick/keys.ts'
import { slotArg, tableArg } from '../stick/resolve.ts'
import { slotsOf, track } from '../stick/track.ts'
import type { StickTable } from '../stick/table.ts'
import type { ActionCtx, ActionParser } from './parse.ts'
import { arg, CONTINUE, isCondWord } from './parse.ts'

/** Stick counter actions (HAProxy 2.6): track-sc0..2 <key> [table <t>],
 *  sc-inc-gpc0(<sc>), sc-inc-gpc1(<sc>), sc-set-gpt0(<sc>) <int|expr>.
 *  In tcp-request connection/session rules a counter is held for the whole
 *  connection; elsewhere for the transaction. */

function trackSc (slot: number): ActionParser {
  const name = `track-sc${slot}`
  return (words, i, _paren, cc) => {
    const text = arg(words, i, 'a sample expression', name)
    const p = parseExpr(text)
    if (p.end !== text.length) throw new RulesError(`'${name}' : unexpected text '${text.slice(p.end)}' after the sample expression`)
    const key = compileParsed(p, cc, cc.phase).fn
    let next = i + 1
    let tableName: string | undefined
    if (words[next] === 'table') {
      tableName = arg(words, next + 1, 'a table name', name)
      next += 2
    }
    if (words[next] !== undefined && !isCondWord(words[next])) throw new RulesError(`'${name}' : unexpected word '${words[next]}'`)
    const table = tableArg(cc, tableName, name)
    const sessionLevel = cc.phase === Phase.L4Conn
    const isHttp = cc.phase === Phase.HttpReq
    return {
      run: t => {
        const v = key(t)
        if (v === undefined) return CONTINUE
        const k = toKey(table.spec.type, table.spec.keyLen, v)
        if (k === undefined) return CONTINUE
        const e = track(t, slot, table, k, sessionLevel)
        // the request being processed already went by: count it for the new entry
        if (e !== null && isHttp) table.bump(e, DT.httpReqCnt, DT.httpReqRate, 1)
        return CONTINUE
      },
      next
    }
  }
}

function slotOfParen (paren: string | null, name: string): number {
  if (paren === null) throw new RulesError(`'${name}' expects a stick counter number between parentheses`)
  return slotArg(paren, name)
}

function incGpc (cnt: number, rate: number, name: string): ActionParser {
  return (_words, i, paren) => {
    const slot = slotOfParen(paren, name)
    return {
      run: t => {
        const slots = slotsOf(t)
        const e = slots?.entry[slot] ?? null
        if (e !== null) (slots!.table[slot] as StickTable).bump(e, cnt, rate, 1)
        return CONTINUE
      },
      next: i
    }
  }
}

const setGpt0: ActionParser = (words, i, paren, cc: ActionCtx) => {
  const slot = slotOfParen(paren, 'sc-set-gpt0')
  const text = arg(words, i, 'an integer or a sample expression', 'sc-set-gpt0')
  let value: (t: StreamView) => number | undefined
  if (/^-?\d+$/.test(text)) {
    const n = Number(text)
    value = () => n
  } else {
    const p = parseExpr(text)
    if (p.end !== text.length) throw new RulesError(`'sc-set-gpt0' : unexpected text '${text.slice(p.end)}'`)
    const fn = compileParsed(p, cc, cc.phase).fn
    value = t => { const v = fn(t); return v === undefined ? undefined : typeof v === 'number' ? v : typeof v === 'boolean' ? (v ? 1 : 0) : leadingInt(v) }
  }
  return {
    run: t => {
      const slots = slotsOf(t)
      const e = slots?.entry[slot] ?? null
      if (e === null) return CONTINUE
      const v = value(t)
      if (v !== undefined) (slots!.table[slot] as StickTable).write(e, DT.gpt0, v)
      return CONTINUE
    },
    next: i + 1
  }
}

export const TRACK_ACTIONS: Readonly<Record<string, ActionParser>> = {
  'track-sc0': trackSc(0),
  'track-sc1': trackSc(1),
  'track-sc2': trackSc(2),
  'sc-inc-gpc0': incGpc(DT.gpc0, DT.gpc0Rate, 'sc-inc-gpc0'),
  'sc-inc-gpc1': incGpc(DT.gpc1, DT.gpc1Rate, 'sc-inc-gpc1'),
  'sc-set-gpt0': setGpt0
}
