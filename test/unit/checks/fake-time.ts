import type { Clock, Timer, TimerSource } from '../../../src/core/clock.ts'

/** A manual clock and timer queue: advance(ms) fires due timers in time order. */
export class FakeTime implements Clock, TimerSource {
  private t = 0
  private queue: { at: number; fn: () => void; live: boolean }[] = []
  now (): number { return this.t }
  wall (): number { return 1_700_000_000_000 + this.t }
  after (ms: number, fn: () => void): Timer {
    const item = { at: this.t + ms, fn, live: true }
    this.queue.push(item)
    return { refresh: () => { item.at = this.t + ms }, cancel: () => { item.live = false } }
  }

  /** Fires timers due within <ms>, letting promise callbacks run after each one. */
  async advance (ms: number): Promise<void> {
    const end = this.t + ms
    for (;;) {
      this.queue = this.queue.filter(q => q.live)
      const next = this.queue.filter(q => q.at <= end).sort((a, b) => a.at - b.at)[0]
      if (next === undefined) break
      this.t = next.at
      next.live = false
      next.fn()
      for (let i = 0; i < 5; i++) await Promise.resolve()
    }
    this.t = end
  }

  get pending (): number { return this.queue.filter(q => q.live).length }
}
