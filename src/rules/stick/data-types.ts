import { RulesError } from '../types.ts'
import { parseTime } from '../../config/durations.ts'

/** The data a stick table may store (HAProxy stktable_data_types, in its
 *  order: `show table` prints stored types in this order). Ids index the
 *  per-entry arrays. Rates take a period argument: `http_req_rate(10s)`. */
export const DT = {
  serverId: 0, gpt0: 1, gpc0: 2, gpc0Rate: 3, connCnt: 4, connRate: 5, connCur: 6, sessCnt: 7, sessRate: 8,
  httpReqCnt: 9, httpReqRate: 10, httpErrCnt: 11, httpErrRate: 12, bytesInCnt: 13, bytesInRate: 14,
  bytesOutCnt: 15, bytesOutRate: 16, gpc1: 17, gpc1Rate: 18, serverKey: 19, httpFailCnt: 20, httpFailRate: 21
} as const
export type DataType = typeof DT[keyof typeof DT]
export const DT_COUNT = 22

/** Names as written in `store` and printed by `show table`, by id. */
export const DT_NAMES: readonly string[] = [
  'server_id', 'gpt0', 'gpc0', 'gpc0_rate', 'conn_cnt', 'conn_rate', 'conn_cur', 'sess_cnt', 'sess_rate',
  'http_req_cnt', 'http_req_rate', 'http_err_cnt', 'http_err_rate', 'bytes_in_cnt', 'bytes_in_rate',
  'bytes_out_cnt', 'bytes_out_rate', 'gpc1', 'gpc1_rate', 'server_key', 'http_fail_cnt', 'http_fail_rate'
]

const RATES: ReadonlySet<number> = new Set([DT.gpc0Rate, DT.connRate, DT.sessRate, DT.httpReqRate, DT.httpErrRate,
  DT.bytesInRate, DT.bytesOutRate, DT.gpc1Rate, DT.httpFailRate])

export function isRate (dt: number): boolean { return RATES.has(dt) }

export function dataTypeId (name: string): number {
  return DT_NAMES.indexOf(name)
}

/** What a table stores: a bit per data type and the period of each rate. */
export interface StoreSpec {
  readonly mask: number
  /** period in ms by data type id (0 for non-rates) */
  readonly periods: readonly number[]
}

export const EMPTY_STORE: StoreSpec = { mask: 0, periods: new Array<number>(DT_COUNT).fill(0) }

/** Parses the comma list after `store` ("gpc0,http_req_rate(10s)"), adding to <base>. */
export function parseStore (text: string, base: StoreSpec): StoreSpec {
  let mask = base.mask
  const periods = [...base.periods]
  for (const item of text.split(',')) {
    const open = item.indexOf('(')
    const name = open < 0 ? item : item.slice(0, open)
    const dt = dataTypeId(name)
    if (dt < 0) throw new RulesError(`'stick-table': unknown data type '${name}'`)
    if (isRate(dt)) {
      if (open < 0 || !item.endsWith(')')) throw new RulesError(`'stick-table': data type '${name}' requires a period between parentheses`)
      const p = parseTime(item.slice(open + 1, -1))
      if (typeof p !== 'number' || p === 0) throw new RulesError(`'stick-table': invalid period for data type '${name}'`)
      periods[dt] = p
    } else if (open >= 0) {
      throw new RulesError(`'stick-table': data type '${name}' takes no argument`)
    }
    mask |= 1 << dt
  }
  return { mask, periods }
}
