/** Time sources are injected so that pure cores (health state, VRRP, balancers)
 *  are tested with a fake clock. */
export interface Clock {
  /** Monotonic milliseconds (may be fractional). */
  now (): number
  /** Wall-clock milliseconds since the epoch (for log dates). */
  wall (): number
}

export const systemClock: Clock = {
  now: () => performance.now(),
  wall: () => Date.now()
}

export interface Timer { refresh (): void; cancel (): void }
export interface TimerSource { after (ms: number, fn: () => void): Timer }

/** TimerSource on Node's timers; timers are unref'd so they never keep a stopping process alive. */
export const systemTimers: TimerSource = {
  after (ms: number, fn: () => void): Timer {
    const t = setTimeout(fn, ms)
    t.unref()
    return { refresh: () => { t.refresh() }, cancel: () => { clearTimeout(t) } }
  }
}
