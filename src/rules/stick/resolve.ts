import { RulesError } from '../types.ts'
import type { CompileCtx } from '../sample.ts'
import type { StickTable } from './table.ts'

/** The table a rule names, or the proxy's own when <name> is absent. */
export function tableArg (cc: CompileCtx, name: string | undefined, what: string): StickTable {
  const n = name === undefined || name === '' ? cc.proxy : name
  if (cc.tables === undefined || n === undefined) throw new RulesError(`'${what}' : no stick table available here`)
  return cc.tables.ref(n)
}

/** Counter number of sc_*(<ctr>) and track-sc<ctr>: 0, 1 or 2. */
export function slotArg (text: string, what: string): number {
  if (!/^[0-2]$/.test(text)) throw new RulesError(`'${what}' : invalid stick counter number '${text}' (expects 0, 1 or 2)`)
  return Number(text)
}
