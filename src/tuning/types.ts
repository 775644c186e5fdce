/** Types of the tuning profile: what the machine is (inputs) and what the
 *  data plane may use on it (limits). Produced by tuning/limits.ts, read by
 *  the CLI (caps the Plan, V8 flags) and the UI. */

export type ProfileName = 'pocket' | 'pocket-battery' | 'lab'
export type ProfileChoice = ProfileName | 'auto'
export const PROFILE_CHOICES: readonly ProfileChoice[] = ['pocket', 'pocket-battery', 'lab', 'auto']

export type PowerSource = 'battery' | 'usb' | 'mains' | 'unknown'

/** The board file (board/<name>.json, /etc/pocketlb/board.json on the image),
 *  only the fields the profile reads. */
export interface BoardInfo {
  readonly name: string
  readonly memoryMiB: number
  readonly cores: number
  /** 0 = unknown */
  readonly maxMHz: number
  readonly power: PowerSource
}

/** What the machine is, as read once at start (systeminformation + board file). */
export interface TuningInputs {
  readonly memTotalBytes: number
  readonly memAvailableBytes: number
  readonly cpuCount: number
  /** 0 = unknown */
  readonly cpuMHz: number
  readonly power: PowerSource
  /** true when running from a battery now (no AC / USB supply) */
  readonly onBattery: boolean
  /** hottest CPU sensor, null = no sensor */
  readonly temperatureC: number | null
  readonly board: BoardInfo | null
}

export type LogLevel = 'info' | 'notice' | 'warning'

/** One frozen set of limits for the data plane. */
export interface Limits {
  readonly profile: ProfileName
  /** RAM the profile assumes the device has: min(total, board, profile ceiling) */
  readonly ramBytes: number
  /** share of <ramBytes> that connections may use (seed 003's memory rule) */
  readonly connBudgetBytes: number
  /** bytes one connection may cost: (2·bufsize + 2 kB) + kernel socket memory */
  readonly bytesPerConn: number
  /** global maxconn that fits the budget with buffers of <bufsize>: a config asking more is capped */
  readonly maxconn: number
  /** ceiling on maxconn whatever the buffers: the profile's, or what the V8 heap holds */
  readonly maxconnCeiling: number
  /** tune.bufsize ceiling */
  readonly bufsize: number
  /** V8 --max-old-space-size, MiB */
  readonly heapMiB: number
  /** V8 --max-semi-space-size, MiB */
  readonly semiSpaceMiB: number
  /** health-check intervals are multiplied by this (longer on battery, when hot) */
  readonly checkIntervalFactor: number
  /** highest syslog level a `log` target sends (fit-plan caps each target):
   *  'info' lets access logs out, 'notice' keeps state changes and alerts only.
   *  (No accept batch: libuv accepts every pending connection on one wake-up
   *  and Node offers no per-wake-up limit, so HAProxy's tune.maxaccept has no
   *  equivalent here.) */
  readonly logLevel: LogLevel
  /** why each limit has its value, one line each, for `pocketlb tune` and the UI */
  readonly reasons: readonly string[]
}
