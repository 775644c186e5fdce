import type { LogRecord } from '../log/types.ts'

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
  /** responses and errors by the first two characters of the termination state ("--", "CD", "sH"...) */
  readonly termCodes = new Map<string, number>()
  /** Set as the engine's ProcessCounters.recordTap: every finished stream, every generation. */
  readonly onRecord = (rec: LogRecord): void => {
    const code = rec.termState.slice(0, 2)
    this.termCodes.set(code, (this.termCodes.get(code) ?? 0) + 1)
    if (this.batch.length >= this.maxBatch || this.inFlight >= this.maxInFlight) { this.dropped++; return }
    this.batch.push(rec)
  }

  constructor (private readonly send: (entries: LogEntry[], dropped: number) => void,
    private readonly maxBatch = 500, private readonly maxInFlight = 4) {}

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
