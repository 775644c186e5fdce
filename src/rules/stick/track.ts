import type { StreamView } from '../../core/stream-view.ts'
import { DT } from './data-types.ts'
import type { StickEntry, StickTable } from './table.ts'

/** The stick counters a stream tracks (HAProxy stkctr sc0..sc2). A slot
 *  tracked by `tcp-request connection|session` lives as long as the client
 *  connection; one tracked by `tcp-request content`/`http-request` lives for
 *  one transaction (HAProxy's stream). Counters move at the events below;
 *  a slot already in use is never replaced (first tracker wins). */
export const TRACK_SLOTS = 3

export class TrackSlots {
  readonly table: (StickTable | null)[] = [null, null, null]
  readonly entry: (StickEntry | null)[] = [null, null, null]
  /** bit <i>: slot <i> is held for the whole connection */
  sessionMask = 0
}

/** Streams that can track counters carry this field (the proxy's streams do;
 *  test views get one on first use). */
export interface StickHolder { stk: TrackSlots | null }

export function slotsOf (s: StreamView): TrackSlots | null {
  return (s as Partial<StickHolder>).stk ?? null
}

/** Starts tracking <key> of <table> in <slot> (conn_cnt, conn_cur, conn_rate
 *  count one); nothing when the slot is taken or the table is full of
 *  entries in use. Returns the entry tracked now, else null. */
export function track (s: StreamView, slot: number, table: StickTable, key: string, sessionLevel: boolean): StickEntry | null {
  const h = s as Partial<StickHolder>
  let slots = h.stk ?? null
  if (slots === null) { slots = new TrackSlots(); h.stk = slots }
  if (slots.entry[slot] !== null) return null
  const e = table.obtain(key)
  if (e === null) return null
  e.refs++
  slots.table[slot] = table
  slots.entry[slot] = e
  if (sessionLevel) slots.sessionMask |= 1 << slot
  table.bump(e, DT.connCnt, DT.connRate, 1)
  table.bump(e, DT.connCur, -1, 1)
  return e
}

/** Adds one to counter <cnt> / rate <rate> of every tracked entry (<mask> of slots). */
export function bumpTracked (slots: TrackSlots | null, cnt: number, rate: number, mask = 7): void {
  if (slots === null) return
  for (let i = 0; i < TRACK_SLOTS; i++) {
    const e = slots.entry[i]
    if (e !== null && (mask & (1 << i)) !== 0) (slots.table[i] as StickTable).bump(e, cnt, rate, 1)
  }
}

/** A new HTTP request, once tcp-request rules ran: every tracked entry counts it
 *  (http-request track-sc counts its own entry when it starts tracking). */
export function countHttpRequest (slots: TrackSlots | null): void {
  bumpTracked(slots, DT.httpReqCnt, DT.httpReqRate)
}

/** The response status of a transaction: 4xx count as errors, 5xx (but 501, 505) as failures. */
export function countHttpStatus (slots: TrackSlots | null, status: number): void {
  if (slots === null) return
  if (status >= 400 && status < 500) bumpTracked(slots, DT.httpErrCnt, DT.httpErrRate)
  else if (status >= 500 && status < 600 && status !== 501 && status !== 505) bumpTracked(slots, DT.httpFailCnt, DT.httpFailRate)
}

/** End of a transaction (or of the connection when <connectionEnds>): bytes
 *  are added to every tracked entry, and the slots of that lifetime are
 *  released (conn_cur less one, entry touched). */
export function endTracking (slots: TrackSlots | null, bytesIn: number, bytesOut: number, connectionEnds: boolean): void {
  if (slots === null) return
  for (let i = 0; i < TRACK_SLOTS; i++) {
    const e = slots.entry[i]
    if (e === null) continue
    const t = slots.table[i] as StickTable
    if (bytesIn > 0) t.bump(e, DT.bytesInCnt, DT.bytesInRate, bytesIn)
    if (bytesOut > 0) t.bump(e, DT.bytesOutCnt, DT.bytesOutRate, bytesOut)
    if (!connectionEnds && (slots.sessionMask & (1 << i)) !== 0) continue
    t.bump(e, DT.connCur, -1, -1)
    e.refs--
    t.touch(e)
    slots.entry[i] = null
    slots.table[i] = null
    slots.sessionMask &= ~(1 << i)
  }
}
