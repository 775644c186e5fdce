import type { StreamView } from '../../core/stream-view.ts'
import type { ArgSpec, CompileCtx, FetchDef, SampleFn } from '../sample.ts'
import { METRICS, type Metric } from '../stick/metrics.ts'
import { slotsOf } from '../stick/track.ts'
import { slotArg, tableArg } from '../stick/resolve.ts'
import { toKey } from '../stick/keys.ts'
import type { StickTable } from '../stick/table.ts'
import { USE_ANY } from './use.ts'

/** Stick counter fetches (HAProxy stick_table.c): sc_<m>(<ctr>[,<table>]),
 *  sc0_<m>([<table>]) .. sc2_<m>, src_<m>([<table>]) for every metric of
 *  METRICS, plus sc_tracked. A counter not tracked gives no sample; a key
 *  absent from the table reads as 0. */

/** Reads <m> for the entry tracked in <slot>; with <table>, the same key in that table. */
function scFn (slot: number, table: StickTable | null, m: Metric): SampleFn {
  return (s: StreamView) => {
    const slots = slotsOf(s)
    const e = slots?.entry[slot] ?? null
    if (e === null) return undefined
    if (table === null) return m(slots!.table[slot] as StickTable, e)
    const other = table.lookup(e.key)
    return other === undefined ? 0 : m(table, other)
  }
}

function srcFn (table: StickTable, m: Metric, creates: boolean): SampleFn {
  return (s: StreamView) => {
    const key = toKey(table.spec.type, table.spec.keyLen, s.srcAddr)
    if (key === undefined) return undefined
    const e = creates ? table.obtain(key) : table.lookup(key)
    return e === undefined || e === null ? 0 : m(table, e)
  }
}

const CTR_TABLE: readonly ArgSpec[] = [{ kind: 'int' }, { kind: 'str', optional: true }]
const TABLE_ONLY: readonly ArgSpec[] = [{ kind: 'str', optional: true }]
const optionalTable = (cc: CompileCtx, name: string | undefined, what: string): StickTable | null =>
  name === undefined ? null : tableArg(cc, name, what)

function family (): Record<string, FetchDef> {
  const out: Record<string, FetchDef> = {}
  for (const [name, m] of Object.entries(METRICS)) {
    // WHY: inc/clr change the entry, src_inc_* creates it like HAProxy's src_inc_gpc0
    const creates = name.startsWith('inc_') || name.startsWith('clr_')
    out['sc_' + name] = {
      args: CTR_TABLE, out: 'int', use: USE_ANY,
      compile: (args, cc) => scFn(slotArg(args[0], 'sc_' + name), optionalTable(cc, args[1], 'sc_' + name), m)
    }
    for (let slot = 0; slot < 3; slot++) {
      out[`sc${slot}_${name}`] = {
        args: TABLE_ONLY, out: 'int', use: USE_ANY,
        compile: (args, cc) => scFn(slot, optionalTable(cc, args[0], `sc${slot}_${name}`), m)
      }
    }
    out['src_' + name] = {
      args: TABLE_ONLY, out: 'int', use: USE_ANY,
      compile: (args, cc) => srcFn(tableArg(cc, args[0], 'src_' + name), m, creates)
    }
  }
  out.sc_tracked = {
    args: CTR_TABLE, out: 'bool', use: USE_ANY,
    compile: (args) => { const slot = slotArg(args[0], 'sc_tracked'); return s => (slotsOf(s)?.entry[slot] ?? null) !== null }
  }
  for (let slot = 0; slot < 3; slot++) {
    out[`sc${slot}_tracked`] = { args: TABLE_ONLY, out: 'bool', use: USE_ANY, compile: () => s => (slotsOf(s)?.entry[slot] ?? null) !== null }
  }
  return out
}

export const STICK_FETCHES: Readonly<Record<string, FetchDef>> = family()
