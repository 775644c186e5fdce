/** `track_pocketlb`: the proxy's own health as VRRP tracks. The proxy runs in
 *  the parent process and the VRRP engine in its child, so the parent polls
 *  the Engine and sends a track change only when a condition flips. */
import type { Engine } from '../proxy/engine.ts'
import { systemTimers, type Timer, type TimerSource } from '../core/clock.ts'
import { LISTENERS_TRACK, trackedBackend, type VrrpPlan } from './types.ts'

/** What the tracks need to know about the proxy. */
export interface ProxyProbe {
  /** Every listener is bound and the proxy is not stopping */
  listening (): boolean
  /** Usable servers of backend <name> (up, not in maintenance), or null when there is no such backend */
  usableServers (backend: string): number | null
}

/** The running Engine as a ProxyProbe (apply() fails on any bind error, so a
 *  running engine with listeners has them all; stop/softStop clears them). */
export function engineProbe (engine: Engine): ProxyProbe {
  return {
    listening: () => !engine.process.stopping && engine.addresses().length > 0,
    usableServers: name => engine.current.backends.get(name)?.usableCount ?? null
  }
}

export const PROXY_POLL_MS = 100

/** Every track_pocketlb name used by <plan>, once. */
export function pocketlbTracks (plan: VrrpPlan): string[] {
  return [...new Set(plan.instances.flatMap(i => i.trackPocketlb.map(t => t.name)))]
}

/** Whether track <name> is OK according to <probe>; a backend that does not
 *  exist (removed by a reload) has no usable server. */
export function trackOk (probe: ProxyProbe, name: string): boolean {
  if (name === LISTENERS_TRACK) return probe.listening()
  const be = trackedBackend(name)
  return be !== null && (probe.usableServers(be) ?? 0) > 0
}

export interface ProxyWatch {
  /** Polls now (e.g. right after a reload) */
  check (): void
  stop (): void
}

/** Feeds every track_pocketlb of <plan> from <probe> to <track>: once at
 *  start, then on change, polled every <periodMs>. */
export function watchProxy (plan: VrrpPlan, probe: ProxyProbe, track: (name: string, ok: boolean) => void,
  periodMs = PROXY_POLL_MS, timers: TimerSource = systemTimers): ProxyWatch {
  const names = pocketlbTracks(plan)
  const last = new Map<string, boolean>()
  let timer: Timer | null = null
  const check = (): void => {
    for (const n of names) {
      const ok = trackOk(probe, n)
      if (last.get(n) !== ok) { last.set(n, ok); track(n, ok) }
    }
  }
  const tick = (): void => { check(); timer = timers.after(periodMs, tick) }
  if (names.length) tick()
  return { check, stop: () => { timer?.cancel(); timer = null } }
}
