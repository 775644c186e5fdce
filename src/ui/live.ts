import type { ControlClient, LogEntry, Snapshot } from '../runtime/control.ts'
import type { Store } from '../store/store.ts'
import type { StatsSample } from '../store/stats.ts'

export interface LiveSample extends StatsSample { readonly t: number }

/** HAProxy-like one-line rendering of an entry (the log ring keeps these). */
export function logLine (e: LogEntry): string {
  return `${new Date(e.time).toISOString()} ${e.client} ${e.frontend} ${e.backend}/${e.server} ${e.Tt} ${e.status} ${e.bytesOut} ${e.termState} "${e.request}"`
}

export interface LogFilter {
  readonly status?: string
  readonly backend?: string
  readonly term?: string
  readonly client?: string
}

/** true when <e> passes <f>: status by prefix ("5", "404"), backend exact,
 *  termination code by prefix ("CD", "s"), client by prefix of "ip:port". */
export function matches (e: LogEntry, f: LogFilter): boolean {
  if (f.status && !String(e.status).startsWith(f.status)) return false
  if (f.backend && e.backend !== f.backend) return false
  if (f.term && !e.termState.startsWith(f.term)) return false
  if (f.client && !e.client.startsWith(f.client)) return false
  return true
}

type Subscriber = (entries: readonly LogEntry[]) => void

/** The worker's view of the data plane: samples counters once a second
 *  (rates for the dashboard and the stats history), fans access-log batches
 *  out to live-log subscribers and into the store's log ring. */
export class Live {
  snapshot: Snapshot | null = null
  /** the last five minutes of 1 s samples */
  readonly recent: LiveSample[] = []
  dropped = 0
  private readonly subscribers = new Set<Subscriber>()
  private timer: NodeJS.Timeout | null = null
  private prevErrors = 0

  constructor (private readonly control: ControlClient, private readonly store: Store) {
    control.onLogs = (entries, dropped) => {
      this.dropped += dropped
      for (const e of entries) store.events.log(logLine(e))
      for (const s of this.subscribers) s(entries)
    }
    control.onVrrp = t => store.events.vrrp({ time: t.at, instance: t.instance, from: t.from, to: t.to, reason: t.reason.text, code: t.reason.code })
  }

  start (everyMs = 1000): void {
    const tick = (): void => { this.sample().catch(() => {}).finally(() => { this.timer = setTimeout(tick, everyMs) }) }
    tick()
  }

  stop (): void { if (this.timer !== null) clearTimeout(this.timer); this.timer = null }

  subscribe (s: Subscriber): () => void {
    this.subscribers.add(s)
    return () => this.subscribers.delete(s)
  }

  /** Takes a snapshot and derives per-second rates from the previous one. */
  async sample (): Promise<void> {
    const next = await this.control.snapshot()
    const prev = this.snapshot
    this.snapshot = next
    // errors: streams that did not end normally (termination state other than "--")
    let errors = 0
    for (const [code, n] of Object.entries(next.termCodes)) if (code !== '--') errors += n
    if (prev === null) { this.prevErrors = errors; return }
    const dt = Math.max(0.001, (next.time - prev.time) / 1000)
    const rate = (a: number, b: number): number => Math.round(Math.max(0, a - b) / dt * 100) / 100
    const s: LiveSample = {
      t: next.time,
      reqRate: rate(next.totalReqs, prev.totalReqs),
      connRate: rate(next.totalConns, prev.totalConns),
      errRate: rate(errors, this.prevErrors),
      bytesInRate: rate(next.bytesIn, prev.bytesIn),
      bytesOutRate: rate(next.bytesOut, prev.bytesOut),
      actconn: next.actconn
    }
    this.prevErrors = errors
    this.recent.push(s)
    if (this.recent.length > 300) this.recent.shift()
    this.store.stats.add(s, s.t)
  }
}
