/** The capture store: a ring of the last <capacity> captures (HTTP exchanges
 *  and TLS flows), each body already capped by the interceptor, so memory is
 *  bounded by capacity × (heads + 2 × maxBody). The UI reads it through list/get/toHar
 *  and follows it live with on('exchange'). Nothing is written to disk. */
import { EventEmitter } from 'node:events'
import { toHar, type Har } from './har.ts'
import type { Capture, CaptureFilter, CaptureSummary, HttpExchange } from './types.ts'

function statusMatches (want: number | string, status: number): boolean {
  if (typeof want === 'number') return status === want
  const cls = /^([1-5])xx$/i.exec(want)
  return cls ? Math.floor(status / 100) === Number(cls[1]) : String(status) === want
}

function textOf (c: CaptureSummary): string {
  return c.kind === 'http' ? `${c.host} ${c.path} ${c.client} ${c.server}` : `${c.sni ?? ''} ${c.client} ${c.server}`
}

/** Whether <c> (a capture or its summary) passes every field of <f>. */
export function matches (c: CaptureSummary, f: CaptureFilter): boolean {
  if (f.kind !== undefined && c.kind !== f.kind) return false
  if (f.afterId !== undefined && c.id <= f.afterId) return false
  if (f.text !== undefined && !textOf(c).toLowerCase().includes(f.text.toLowerCase())) return false
  if (f.method !== undefined && (c.kind !== 'http' || c.method !== f.method.toUpperCase())) return false
  if (f.status !== undefined && (c.kind !== 'http' || !statusMatches(f.status, c.status))) return false
  return true
}

export class CaptureStore extends EventEmitter<{ exchange: [Capture] }> {
  private readonly ring: Array<Capture | undefined>
  /** Index of the next slot to write */
  private head = 0
  private count = 0
  private lastId = 0

  constructor (readonly capacity = 500) {
    super()
    this.ring = new Array<Capture | undefined>(capacity)
  }

  /** Next capture id (ids only grow, so a UI polls with afterId). */
  nextId (): number { return ++this.lastId }

  add (c: Capture): void {
    this.ring[this.head] = c
    this.head = (this.head + 1) % this.capacity
    if (this.count < this.capacity) this.count++
    this.emit('exchange', c)
  }

  /** Matching captures, oldest first (the newest <limit> when limited). */
  list (filter: CaptureFilter = {}): Capture[] {
    const out: Capture[] = []
    for (let i = 0; i < this.count; i++) {
      const c = this.ring[(this.head - this.count + i + this.capacity) % this.capacity]!
      if (matches(c, filter)) out.push(c)
    }
    return filter.limit !== undefined && out.length > filter.limit ? out.slice(out.length - filter.limit) : out
  }

  get (id: number): Capture | undefined {
    for (let i = 0; i < this.count; i++) {
      const c = this.ring[i]!
      if (c.id === id) return c
    }
    return undefined
  }

  /** HAR 1.2 of the HTTP exchanges <ids> still held (all of them when omitted). */
  toHar (ids?: readonly number[]): Har {
    const wanted = ids === undefined ? null : new Set(ids)
    return toHar(this.list({ kind: 'http' }).filter(c => wanted === null || wanted.has(c.id)) as HttpExchange[])
  }

  clear (): void {
    this.ring.fill(undefined)
    this.head = 0
    this.count = 0
  }
}
