import { FreqCounter } from './freq.ts'
import { DT, DT_COUNT, DT_NAMES, isRate, type StoreSpec } from './data-types.ts'
import type { KeyType } from './keys.ts'

/** One key of a stick table with every counter the table stores. Reused
 *  for the key's whole life; <refs> counts the streams tracking it (an
 *  entry in use never expires nor is evicted). */
export class StickEntry {
  expire = 0
  refs = 0
  /** counters, gpt/gpc and server_id by data type id */
  readonly v = new Float64Array(DT_COUNT)
  /** rate counters of the stored rate types, by data type id */
  readonly r: (FreqCounter | null)[]
  serverKey = ''
  constructor (readonly key: string, readonly serial: number, store: StoreSpec) {
    this.r = new Array<FreqCounter | null>(DT_COUNT).fill(null)
    for (let dt = 0; dt < DT_COUNT; dt++) if (isRate(dt) && (store.mask & (1 << dt)) !== 0) this.r[dt] = new FreqCounter()
  }
}

export interface TableSpec {
  readonly type: KeyType
  /** key length for string/binary keys */
  readonly keyLen: number
  readonly size: number
  /** ms; 0 = entries never expire (only evicted when full) */
  readonly expire: number
  readonly store: StoreSpec
  readonly nopurge: boolean
}

/** A stick table (HAProxy stktable): entries by key, in least-recently
 *  touched order (a Map re-inserted on touch), so the oldest unused one is
 *  evicted when the table is full. Expiry is lazy on lookup plus a coarse
 *  sweep timer while the table holds entries — no per-entry timers.
 *  Mutable state lives in private fields: the compiled Plan that holds the
 *  table is frozen, the table's contents are not. */
export class StickTable {
  #spec: TableSpec | null = null
  readonly #entries = new Map<string, StickEntry>()
  #timer: NodeJS.Timeout | null = null
  #serial = 0

  /** <now>: the clock in ms (injected by tests) */
  constructor (readonly name: string, private readonly now: () => number = Date.now) {}

  get declared (): boolean { return this.#spec !== null }
  get spec (): TableSpec {
    if (this.#spec === null) throw new Error(`stick table '${this.name}' used before declaration`)
    return this.#spec
  }

  declare (spec: TableSpec): void { this.#spec = spec }

  /** Adds data types (bit mask) to what the table stores: config/ adds
   *  server_id/server_key to tables that `stick` rules use, as HAProxy does. */
  addStore (mask: number): void {
    const s = this.spec
    this.#spec = { ...s, store: { mask: s.store.mask | mask, periods: s.store.periods } }
  }

  get used (): number { return this.#entries.size }

  /** true when the table stores data type <dt> */
  stores (dt: number): boolean { return (this.spec.store.mask & (1 << dt)) !== 0 }

  /** The live entry for <key>, or undefined (an expired one is dropped). */
  lookup (key: string): StickEntry | undefined {
    const e = this.#entries.get(key)
    if (e === undefined) return undefined
    if (e.refs === 0 && e.expire !== 0 && e.expire <= this.now()) { this.#entries.delete(key); return undefined }
    return e
  }

  /** The entry for <key>, created (and the oldest unused one evicted when
   *  full) if needed; touched. null when full of entries in use. */
  obtain (key: string): StickEntry | null {
    let e = this.lookup(key)
    if (e === undefined) {
      const spec = this.spec
      if (this.#entries.size >= spec.size && (spec.nopurge || !this.evictOldest())) return null
      e = new StickEntry(key, ++this.#serial, spec.store)
      this.#entries.set(key, e)
      this.armSweep()
    }
    this.touch(e)
    return e
  }

  /** Restarts <e>'s expiry and makes it the most recently used. */
  touch (e: StickEntry): void {
    const exp = this.spec.expire
    e.expire = exp === 0 ? 0 : this.now() + exp
    this.#entries.delete(e.key)
    this.#entries.set(e.key, e)
  }

  /** Adds <n> to counter <cnt> and rate <rate> when stored (-1 = none). */
  bump (e: StickEntry, cnt: number, rate: number, n: number): void {
    const mask = this.spec.store.mask
    if (cnt >= 0 && (mask & (1 << cnt)) !== 0) e.v[cnt] += n
    if (rate >= 0) {
      const r = e.r[rate]
      if (r !== null) r.add(this.now(), this.spec.store.periods[rate] as number, n)
    }
  }

  /** Value of <dt> for <e> (rates over their period now), undefined when not stored. */
  read (e: StickEntry, dt: number): number | undefined {
    if (!this.stores(dt)) return undefined
    const r = e.r[dt]
    return r === null ? e.v[dt] : r.read(this.now(), this.spec.store.periods[dt] as number)
  }

  /** Sets a stored counter (gpt0, gpc0, server_id ...). */
  write (e: StickEntry, dt: number, value: number): void {
    if (!this.stores(dt)) return
    const r = e.r[dt]
    if (r === null) e.v[dt] = value
    else { r.clear(); if (value > 0) r.add(this.now(), this.spec.store.periods[dt] as number, value) }
  }

  /** Removes every unused entry `show table`'s filters keep (all when <keep> is null). */
  clear (keep: ((e: StickEntry) => boolean) | null): void {
    for (const e of [...this.#entries.values()]) if (e.refs === 0 && (keep === null || keep(e))) this.#entries.delete(e.key)
  }

  remove (key: string): boolean {
    const e = this.#entries.get(key)
    if (e === undefined || e.refs > 0) return false
    return this.#entries.delete(key)
  }

  /** Live entries, least recently used first. */
  entries (): StickEntry[] {
    const now = this.now()
    const out: StickEntry[] = []
    for (const e of this.#entries.values()) if (e.refs > 0 || e.expire === 0 || e.expire > now) out.push(e)
    return out
  }

  /** ms before <e> expires (HAProxy's exp= of `show table`). */
  remaining (e: StickEntry): number { return e.expire === 0 ? 0 : Math.max(0, e.expire - this.now()) }

  private evictOldest (): boolean {
    for (const e of this.#entries.values()) {
      if (e.refs === 0) { this.#entries.delete(e.key); return true }
    }
    return false
  }

  /** Drops expired unused entries; entries are in touch order, so the scan
   *  stops at the first unused one still alive. */
  sweep (): void {
    const now = this.now()
    for (const e of this.#entries.values()) {
      if (e.refs > 0) continue
      if (e.expire === 0 || e.expire > now) break
      this.#entries.delete(e.key)
    }
    if (this.#entries.size === 0 && this.#timer !== null) { clearInterval(this.#timer); this.#timer = null }
  }

  private armSweep (): void {
    const exp = this.spec.expire
    if (this.#timer !== null || exp === 0) return
    // WHY coarse: one timer per table, at most every second, at least every 10s
    this.#timer = setInterval(() => this.sweep(), Math.min(10000, Math.max(1000, exp)))
    this.#timer.unref()
  }
}

export { DT, DT_NAMES }
