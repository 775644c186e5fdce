import type { LogLevel, ProfileName, TuningInputs } from './types.ts'

/** What each profile is meant for, as numbers. <ramCeilingMiB>: the profile
 *  treats the device as having at most this much RAM (so `pocket` on a PC
 *  behaves as on the device); <connShare>: the part of it connections may use
 *  (the rest: the OS, Node's own ~30 MB, page cache for logs — seed 003's
 *  swapping came from log pages evicting the proxy). */
export interface ProfileSpec {
  readonly ramCeilingMiB: number
  readonly connShare: number
  readonly maxconnCeiling: number
  /** largest tune.bufsize; Limits.maxconn is computed with it */
  readonly bufsize: number
  /** V8 old space as a share of RAM, between <heapMinMiB> and <heapMaxMiB> */
  readonly heapShare: number
  readonly heapMinMiB: number
  readonly heapMaxMiB: number
  /** small young generation: less RSS; each scavenge is short (1000 conn/s
   *  allocate ~2 MB/s, so a 2 MiB semi-space scavenges about once a second) */
  readonly semiSpaceMiB: number
  readonly checkIntervalFactor: number
  readonly logLevel: LogLevel
}

export const PROFILES: Readonly<Record<ProfileName, ProfileSpec>> = Object.freeze({
  pocket: Object.freeze({
    ramCeilingMiB: 512, connShare: 0.25, maxconnCeiling: 4096, bufsize: 16384,
    heapShare: 0.1, heapMinMiB: 24, heapMaxMiB: 48, semiSpaceMiB: 2,
    checkIntervalFactor: 1, logLevel: 'info'
  }),
  // on battery: same memory, fewer wake-ups (checks 3× apart) and no access log line per request
  'pocket-battery': Object.freeze({
    ramCeilingMiB: 512, connShare: 0.25, maxconnCeiling: 4096, bufsize: 16384,
    heapShare: 0.1, heapMinMiB: 24, heapMaxMiB: 48, semiSpaceMiB: 2,
    checkIntervalFactor: 3, logLevel: 'notice'
  }),
  lab: Object.freeze({
    ramCeilingMiB: 65536, connShare: 0.5, maxconnCeiling: 100000, bufsize: 65536,
    heapShare: 0.25, heapMinMiB: 64, heapMaxMiB: 2048, semiSpaceMiB: 16,
    checkIntervalFactor: 1, logLevel: 'info'
  })
})

/** `auto`: on battery → pocket-battery; on a board file or a small machine
 *  (≤ 1 GiB or a single core) → pocket; otherwise a PC → lab. */
export function chooseProfile (i: TuningInputs): ProfileName {
  if (i.onBattery) return 'pocket-battery'
  if (i.board !== null || i.memTotalBytes <= 1024 * 1024 * 1024 || i.cpuCount <= 1) return 'pocket'
  return 'lab'
}
