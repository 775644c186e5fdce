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
