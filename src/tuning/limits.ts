import type { Limits, ProfileChoice, TuningInputs } from './types.ts'
import { PROFILES, chooseProfile } from './profiles.ts'
import { bytesPerConnection, maxconnFitting } from './memory-rule.ts'

const MiB = 1024 * 1024
/** below this maxconn a proxy is not useful; the budget is reported as too small instead */
const MIN_MAXCONN = 64
const HOT_C = 75
/** V8 heap one proxied connection needs, measured: ~7 KiB per idle websocket
 *  (two sockets and a session), with headroom for the collector */
const HEAP_PER_CONN = 12 * 1024
/** V8 heap of the idle data plane (config, rules, modules) */
const HEAP_BASE_MiB = 16

const mib = (b: number): string => `${Math.round(b / MiB)} MiB`

/** Inputs → limits, pure. <choice> 'auto' picks the profile from the inputs. */
export function computeLimits (choice: ProfileChoice, i: TuningInputs): Limits {
  const profile = choice === 'auto' ? chooseProfile(i) : choice
  const spec = PROFILES[profile]
  const reasons: string[] = [choice === 'auto' ? `profile ${profile}: chosen from the inputs (auto)` : `profile ${profile}: asked for`]

  let ramBytes = Math.min(i.memTotalBytes, spec.ramCeilingMiB * MiB)
  let ramWhy = i.memTotalBytes <= spec.ramCeilingMiB * MiB ? 'memory total' : `profile ceiling ${spec.ramCeilingMiB} MiB`
  if (i.board !== null && i.board.memoryMiB * MiB < ramBytes) { ramBytes = i.board.memoryMiB * MiB; ramWhy = `board ${i.board.name}` }
  reasons.push(`ram ${mib(ramBytes)}: ${ramWhy}`)

  // connections may use their share of the RAM, but never more than half of what is free now
  let connBudgetBytes = Math.floor(ramBytes * spec.connShare)
  let budgetWhy = `${spec.connShare * 100}% of ram`
  if (i.memAvailableBytes > 0 && i.memAvailableBytes / 2 < connBudgetBytes) {
    connBudgetBytes = Math.floor(i.memAvailableBytes / 2)
    budgetWhy = 'half of the memory available now'
  }
  reasons.push(`connection budget ${mib(connBudgetBytes)}: ${budgetWhy}`)

  const bufsize = spec.bufsize
  const bytesPerConn = bytesPerConnection(bufsize)
  const fitting = maxconnFitting(connBudgetBytes, bufsize)
  // the V8 heap grows to hold the connections the budget allows, up to the
  // profile's cap; when even the cap cannot hold them, maxconn shrinks
  const heapNeed = HEAP_BASE_MiB + Math.min(fitting, spec.maxconnCeiling) * HEAP_PER_CONN / MiB
  const heapMiB = Math.ceil(Math.max(spec.heapMinMiB, Math.min(spec.heapMaxMiB, Math.max(ramBytes * spec.heapShare / MiB, heapNeed))))
  const heapHolds = Math.floor((heapMiB - HEAP_BASE_MiB) * MiB / HEAP_PER_CONN)
  const ceiling = Math.min(spec.maxconnCeiling, heapHolds)
  const maxconn = maxconnWithin(connBudgetBytes, bufsize, ceiling)
  reasons.push(fitting <= ceiling
    ? `maxconn ${maxconn}: ${mib(connBudgetBytes)} / (2·${bufsize} + 2 kB + 16 kB kernel) per connection`
    : ceiling === spec.maxconnCeiling
      ? `maxconn ${maxconn}: profile ceiling (the budget would allow ${fitting})`
      : `maxconn ${maxconn}: what a ${heapMiB} MiB V8 heap holds at ${HEAP_PER_CONN / 1024} KiB per connection (the budget would allow ${fitting})`)
  reasons.push(`V8 heap ${heapMiB} MiB, semi-space ${spec.semiSpaceMiB} MiB: ${HEAP_BASE_MiB} MiB + ${HEAP_PER_CONN / 1024} KiB per connection, ` +
    `at least ${spec.heapShare * 100}% of ram, within [${spec.heapMinMiB}, ${spec.heapMaxMiB}] MiB`)

  let checkIntervalFactor = spec.checkIntervalFactor
  const factorWhy: string[] = [i.onBattery ? 'on battery' : `power ${i.power}`]
  if (i.temperatureC !== null && i.temperatureC >= HOT_C) { checkIntervalFactor *= 2; factorWhy.push(`${i.temperatureC} °C ≥ ${HOT_C} °C`) }
  reasons.push(`check intervals ×${checkIntervalFactor}: ${factorWhy.join(', ')}`)
  reasons.push(spec.logLevel === 'info'
    ? 'log level info: access logs are sent'
    : `log level ${spec.logLevel}: ${i.onBattery ? 'on battery, ' : ''}no access log line per request (formatting and sending one costs CPU on every request)`)

  return Object.freeze({
    profile,
    ramBytes,
    connBudgetBytes,
    bytesPerConn,
    maxconn,
    maxconnCeiling: ceiling,
    bufsize,
    heapMiB,
    semiSpaceMiB: spec.semiSpaceMiB,
    checkIntervalFactor,
    logLevel: spec.logLevel,
    reasons: Object.freeze(reasons)
  })
}

/** maxconn for buffers of <bufsize> in <budgetBytes>, within [MIN_MAXCONN, <ceiling>]. */
export function maxconnWithin (budgetBytes: number, bufsize: number, ceiling: number): number {
  return Math.max(MIN_MAXCONN, Math.min(ceiling, maxconnFitting(budgetBytes, bufsize)))
}

/** The node command-line flags that apply <l>'s V8 caps. */
export function nodeFlags (l: Limits): string[] {
  return [`--max-old-space-size=${l.heapMiB}`, `--max-semi-space-size=${l.semiSpaceMiB}`]
}
