import type { LogRecord } from '../log/types.ts'
import type { Generation } from '../proxy/engine.ts'
import type { AccessLogger } from '../proxy/frontend-runtime.ts'

/** One finished stream as the UI's live log shows it (a copy of the
 *  LogRecord fields it filters and prints). */
export interface LogEntry {
  readonly time: number
  readonly client: string
  readonly frontend: string
  readonly backend: string
  readonly server: string
  readonly status: number
  readonly termState: string
  readonly Tt: number
  readonly bytesOut: number
  readonly request: string
}

/** Bounded batches of access-log records for a slow reader: records are
 *  kept by reference until the flush (no work on the hot path beyond a push),
 *  a batch holds at most <maxBatch>, and while <maxInFlight> batches are not
 *  acknowledged new records are dropped and counted: traffic never waits. */
export class LogTap {
  private batch: LogRecord[] = []
  private inFlight = 0
  private dropped = 0
  private readonly tapped = new WeakSet<Generation>()
  /** responses and errors by the first two characters of the termination state ("--", "CD", "sH"...) */
  readonly termCodes = new Map<string, number>()
  private readonly onRecord = (rec: LogRecord): void => {
    const code = rec.termState.slice(0, 2)
    this.termCodes.set(code, (this.termCodes.get(code) ?? 0) + 1)
    if (this.batch.length >= this.maxBatch || this.inFlight >= this.maxInFlight) { this.dropped++; return }
    this.batch.push(rec)
  }

  constructor (private readonly send: (entries: LogEntry[], dropped: number) => void,
    private readonly maxBatch = 500, private readonly maxInFlight = 4) {}

  /** Taps every frontend of <gen> once (a reload makes a new generation). */
  attach (gen: Generation): void {
    if (this.tapped.has(gen)) return
    this.tapped.add(gen)
    for (const fe of gen.frontends) {
      const inner = fe.accessLog
      const onRecord = this.onRecord
      const tee: AccessLogger = inner === null
        ? { emit (rec) { onRecord(rec) } }
        : { emit (rec, view) { inner.emit(rec, view); onRecord(rec) } }
      // WHY the cast: the proxy has no log hook; the logger is swapped once per generation, before traffic reads it again
      ;(fe as { accessLog: AccessLogger | null }).accessLog = tee
    }
  }

  /** Sends the pending batch (called on a timer). */
  flush (): void {
    if (this.batch.length === 0 && this.dropped === 0) return
    if (this.inFlight >= this.maxInFlight) return
    const recs = this.batch
    this.batch = []
    const dropped = this.dropped
    this.dropped = 0
    this.inFlight++
    this.send(recs.map(toEntry), dropped)
  }

  /** The reader has processed one batch. */
  ack (): void { if (this.inFlight > 0) this.inFlight-- }
}

function toEntry (r: LogRecord): LogEntry {
  return {
    time: r.requestDate,
    client: `${r.clientIp}:${r.clientPort}`,
    frontend: r.feName,
    backend: r.beName,
    server: r.srvName,
    status: r.status,
    termState: r.termState,
    Tt: r.Tt,
    bytesOut: r.bytesOut,
    request: r.requestLine
  }
}
