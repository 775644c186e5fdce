import { DT } from './data-types.ts'
import type { StickEntry, StickTable } from './table.ts'

/** What the sc_* / src_* fetches and table_* converters read (or change)
 *  in one entry, by the name that follows their prefix. undefined = the
 *  table does not store that data (the fetch fails, as in HAProxy). */
export type Metric = (t: StickTable, e: StickEntry) => number | undefined

const read = (dt: number): Metric => (t, e) => t.read(e, dt)
const kbytes = (dt: number): Metric => (t, e) => { const v = t.read(e, dt); return v === undefined ? undefined : Math.floor(v / 1024) }

/** sc_inc_gpcN: adds one to the counter and its rate, returns the counter. */
const incGpc = (cnt: number, rate: number): Metric => (t, e) => {
  if (!t.stores(cnt) && !t.stores(rate)) return undefined
  t.bump(e, cnt, rate, 1)
  return t.read(e, cnt) ?? 0
}

/** sc_clr_gpcN: returns the counter's value and sets it to zero. */
const clrGpc = (cnt: number): Metric => (t, e) => {
  const v = t.read(e, cnt)
  if (v !== undefined) t.write(e, cnt, 0)
  return v
}

export const METRICS: Readonly<Record<string, Metric>> = {
  conn_cnt: read(DT.connCnt),
  conn_cur: read(DT.connCur),
  conn_rate: read(DT.connRate),
  sess_cnt: read(DT.sessCnt),
  sess_rate: read(DT.sessRate),
  http_req_cnt: read(DT.httpReqCnt),
  http_req_rate: read(DT.httpReqRate),
  http_err_cnt: read(DT.httpErrCnt),
  http_err_rate: read(DT.httpErrRate),
  http_fail_cnt: read(DT.httpFailCnt),
  http_fail_rate: read(DT.httpFailRate),
  bytes_in_rate: read(DT.bytesInRate),
  bytes_out_rate: read(DT.bytesOutRate),
  kbytes_in: kbytes(DT.bytesInCnt),
  kbytes_out: kbytes(DT.bytesOutCnt),
  gpc0_rate: read(DT.gpc0Rate),
  gpc1_rate: read(DT.gpc1Rate),
  get_gpc0: read(DT.gpc0),
  get_gpc1: read(DT.gpc1),
  get_gpt0: read(DT.gpt0),
  inc_gpc0: incGpc(DT.gpc0, DT.gpc0Rate),
  inc_gpc1: incGpc(DT.gpc1, DT.gpc1Rate),
  clr_gpc0: clrGpc(DT.gpc0),
  clr_gpc1: clrGpc(DT.gpc1),
  trackers: (_t, e) => e.refs
}

/** Converter names differ for the general purpose ones (table_gpc0, not table_get_gpc0). */
export const TABLE_METRICS: Readonly<Record<string, Metric>> = {
  ...Object.fromEntries(Object.entries(METRICS).filter(([n]) => !/^(get|inc|clr)_/.test(n))),
  gpc0: read(DT.gpc0), gpc1: read(DT.gpc1), gpt0: read(DT.gpt0), server_id: read(DT.serverId),
  bytes_in_cnt: read(DT.bytesInCnt), bytes_out_cnt: read(DT.bytesOutCnt),
  expire: (t, e) => t.remaining(e)
}
