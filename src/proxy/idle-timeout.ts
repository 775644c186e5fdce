/** An inactivity timeout for one side of a stream, as socket.setTimeout gives,
 *  without its cost on every read and write: Node refreshes a socket's timer
 *  on each I/O (a timer-list move and a clock read through the binding, ~5 %
 *  of the CPU of a proxied request). Here I/O only records its time (touch);
 *  the timer is armed once for the whole period and, when it comes while the
 *  side was active meanwhile, re-arms itself for what is left. <fire> (shared,
 *  not a closure per stream) is called with <owner> once the side was quiet
 *  for the period. */
export class IdleTimeout<T> {
  private timer: NodeJS.Timeout | null = null
  private ms = 0
  private last = 0

  constructor (private readonly owner: T, private readonly fire: (owner: T) => void) {}

  /** Starts the timeout for <ms> of inactivity from now; 0 stops it. */
  set (ms: number): void {
    if (this.timer !== null) { clearTimeout(this.timer); this.timer = null }
    this.ms = ms
    if (ms <= 0) return
    this.last = performance.now()
    this.timer = setTimeout(expire, ms, this)
  }

  /** Whether the side has been quiet for its whole period by now, its timer due
   *  within the millisecond (HAProxy's tick) even if not fired yet. */
  isDue (): boolean { return this.timer !== null && this.last + this.ms - performance.now() < 1 }

  /** The side read or wrote. */
  touch (): void { if (this.timer !== null) this.last = performance.now() }

  /** Called by the timer: fires, or waits again for what is left. */
  expire (): void {
    this.timer = null
    const left = this.last + this.ms - performance.now()
    if (left >= 1) { this.timer = setTimeout(expire, left, this); return }
    this.ms = 0
    this.fire(this.owner)
  }
}

function expire<T> (t: IdleTimeout<T>): void { t.expire() }
