/** Groups small writes (log lines, stats samples, audit events) into one
 *  transaction at most every <intervalMs>, so that a flash card sees one
 *  commit per second instead of one per line. Pending writes are bounded:
 *  past <maxPending> the oldest are dropped (the admin side never grows
 *  without limit when the disk is slow). */
export class WriteBatcher {
  private pending: (() => void)[] = []
  private timer: NodeJS.Timeout | null = null
  dropped = 0
  /** transactions committed so far (tests, the kill -9 proof) */
  commits = 0

  constructor (
    private readonly runInTransaction: (ops: readonly (() => void)[]) => void,
    private readonly intervalMs = 1000,
    private readonly maxPending = 20000
  ) {}

  /** Queues <op> (a call of a prepared statement) for the next commit. */
  add (op: () => void): void {
    if (this.pending.length >= this.maxPending) { this.pending.shift(); this.dropped++ }
    this.pending.push(op)
    if (this.timer === null) this.timer = setTimeout(() => this.flush(), this.intervalMs)
  }

  /** Commits what is pending now. Returns the number of writes committed. */
  flush (): number {
    if (this.timer !== null) { clearTimeout(this.timer); this.timer = null }
    const ops = this.pending
    if (ops.length === 0) return 0
    this.pending = []
    this.runInTransaction(ops)
    this.commits++
    return ops.length
  }
}
