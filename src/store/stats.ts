import type { Database, Statement } from './sqlite.ts'
import type { WriteBatcher } from './batch.ts'

/** One traffic sample: per-second rates and the live connection count. */
export interface StatsSample {
  readonly reqRate: number
  readonly connRate: number
  readonly errRate: number
  readonly bytesInRate: number
  readonly bytesOutRate: number
  readonly actconn: number
}

export interface StatsPoint extends StatsSample { readonly t: number }

const FIELDS = ['reqRate', 'connRate', 'errRate', 'bytesInRate', 'bytesOutRate', 'actconn'] as const

/** Rollup periods (seconds) and how long each is kept. */
export const PERIODS = [
  { seconds: 10, keepMs: 24 * 3600_000 },
  { seconds: 60, keepMs: 30 * 24 * 3600_000 }
] as const

/** Averages of samples over one period, written when the period ends. */
class Bucket {
  start = -1
  n = 0
  readonly sums = FIELDS.map(() => 0)
  constructor (readonly seconds: number) {}
}

/** Stats history: 1 s samples rolled up into 10 s and 1 min averages. */
export class StatsHistory {
  private readonly buckets = PERIODS.map(p => new Bucket(p.seconds))
  private readonly insert: Statement<[number, number, number, number, number, number, number, number]>
  private readonly prune: Statement<[number, number]>
  private readonly select: Statement<[number, number]>

  constructor (db: Database, private readonly batch: WriteBatcher) {
    this.insert = db.prepare('INSERT OR REPLACE INTO stats_history (period, t, req_rate, conn_rate, err_rate, bytes_in_rate, bytes_out_rate, actconn) VALUES (?, ?, ?, ?, ?, ?, ?, ?)')
    this.prune = db.prepare('DELETE FROM stats_history WHERE period = ? AND t < ?')
    this.select = db.prepare('SELECT t, req_rate AS reqRate, conn_rate AS connRate, err_rate AS errRate, bytes_in_rate AS bytesInRate, bytes_out_rate AS bytesOutRate, actconn FROM stats_history WHERE period = ? AND t >= ? ORDER BY t')
  }

  /** Adds the sample taken at <now> (ms). */
  add (s: StatsSample, now = Date.now()): void {
    PERIODS.forEach((p, i) => {
      const b = this.buckets[i]
      const start = now - (now % (p.seconds * 1000))
      if (b.start !== start) {
        if (b.n > 0) this.write(b, p.keepMs, now)
        b.start = start; b.n = 0; b.sums.fill(0)
      }
      b.n++
      FIELDS.forEach((f, k) => { b.sums[k] += s[f] })
    })
  }

  private write (b: Bucket, keepMs: number, now: number): void {
    const avg = b.sums.map(v => Math.round((v / b.n) * 100) / 100)
    const { seconds, start } = b
    this.batch.add(() => {
      this.insert.run(seconds, start, avg[0], avg[1], avg[2], avg[3], avg[4], avg[5])
      this.prune.run(seconds, now - keepMs)
    })
  }

  /** Points of the <seconds> rollup since <since> (ms), oldest first. */
  points (seconds: number, since: number): StatsPoint[] { return this.select.all(seconds, since) as StatsPoint[] }
}
