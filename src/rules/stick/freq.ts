/** A rate over a sliding period (HAProxy freq_ctr with a period): events of
 *  the current period plus the previous period's events weighted by the part
 *  of it still inside the window. Periods are aligned on <tick> multiples of
 *  <period> from the first event. Times are milliseconds. */
export class FreqCounter {
  private tick = 0
  private curr = 0
  private prev = 0

  /** Moves the window to <now>: a period that ended rolls into <prev>. */
  private roll (now: number, period: number): void {
    const elapsed = now - this.tick
    if (elapsed < period) return
    if (this.tick === 0 || elapsed >= 2 * period) {
      this.prev = elapsed >= 2 * period ? 0 : this.curr
      this.tick = this.tick === 0 ? now : now - (elapsed % period)
    } else {
      this.prev = this.curr
      this.tick += period
    }
    this.curr = 0
  }

  add (now: number, period: number, n: number): void {
    if (this.tick === 0) this.tick = now
    this.roll(now, period)
    this.curr += n
  }

  /** Events per <period> at <now>. */
  read (now: number, period: number): number {
    if (this.tick === 0) return 0
    const elapsed = now - this.tick
    if (elapsed >= 2 * period) return 0
    if (elapsed >= period) return Math.floor(this.curr * (2 * period - elapsed) / period)
    return this.curr + Math.floor(this.prev * (period - elapsed) / period)
  }

  clear (): void { this.tick = 0; this.curr = 0; this.prev = 0 }
}
