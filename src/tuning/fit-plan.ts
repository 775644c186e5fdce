import type { BackendPlan, LogTarget, Plan } from '../config/plan.ts'
import { Level } from '../log/types.ts'
import type { Limits } from './types.ts'
import type { LoadResult } from '../config/load.ts'
import { connectionMemory } from './memory-rule.ts'
import { maxconnWithin } from './limits.ts'
import { deepFreeze } from '../config/freeze.ts'

const MiB = 1024 * 1024
/** global maxconn of a config that sets none (config/keywords/global.ts): the
 *  profile's value replaces it without a warning. (The Plan does not say whether
 *  maxconn was written; a config writing exactly 4096 is capped silently too.) */
const UNSET_GLOBAL_MAXCONN = 4096

export interface FittedPlan {
  readonly plan: Plan
  /** one line per limit that changed the config, saying why (for `-c` and startup) */
  readonly warnings: readonly string[]
}

/** <plan> within <l>: global maxconn and tune.bufsize capped to what the RAM
 *  budget holds, health-check intervals stretched by the profile's factor,
 *  `log` targets capped at the profile's log level (a target asking more is
 *  warned about once). Returns <plan> itself when nothing changes. */
export function fitPlan (plan: Plan, l: Limits): FittedPlan {
  const g = plan.global
  const warnings: string[] = []
  const bufsize = Math.min(g.tune.bufsize, l.bufsize)
  if (bufsize < g.tune.bufsize) {
    warnings.push(`tune.bufsize ${g.tune.bufsize} is larger than the '${l.profile}' profile allows: capped to ${bufsize}.`)
  }
  // a config with smaller buffers than the profile's fits more connections
  const maxconn = Math.min(g.maxconn, maxconnWithin(l.connBudgetBytes, bufsize, l.maxconnCeiling))
  if (maxconn < g.maxconn && g.maxconn !== UNSET_GLOBAL_MAXCONN) {
    const need = connectionMemory(g.maxconn, bufsize)
    warnings.push(need > l.connBudgetBytes
      ? `global maxconn ${g.maxconn} does not fit the '${l.profile}' profile's RAM budget: ` +
        `${g.maxconn} × (2·${bufsize} + 2 kB + 16 kB kernel) ≈ ${Math.round(need / MiB)} MiB ` +
        `> ${Math.round(l.connBudgetBytes / MiB)} MiB for connections (of ${Math.round(l.ramBytes / MiB)} MiB). maxconn capped to ${maxconn}.`
      : `global maxconn ${g.maxconn} is above the '${l.profile}' profile's ceiling: maxconn capped to ${maxconn}.`)
  }
  const stretch = l.checkIntervalFactor !== 1
  const maxLevel = Level[l.logLevel]
  // only a cap below 'info' changes what is sent (nothing is logged at debug)
  const capLogs = maxLevel < Level.info && [g, ...plan.frontends, ...plan.backends.values()].some(p => p.logs.some(t => t.maxLevel > maxLevel))
  if (capLogs) {
    warnings.push(`log targets sending 'info' are capped at '${l.logLevel}' by the '${l.profile}' profile: access logs are not sent.`)
  }
  if (maxconn === g.maxconn && bufsize === g.tune.bufsize && !stretch && !capLogs) return { plan, warnings }
  let backends: ReadonlyMap<string, BackendPlan> = stretch ? stretchChecks(plan.backends, l.checkIntervalFactor) : plan.backends
  let frontends = plan.frontends
  let logs = g.logs
  if (capLogs) {
    logs = capTargets(logs, maxLevel)
    frontends = frontends.map(f => ({ ...f, logs: capTargets(f.logs, maxLevel) }))
    backends = new Map([...backends].map(([name, b]) => [name, { ...b, logs: capTargets(b.logs, maxLevel) }]))
  }
  const global = { ...g, maxconn, logs, tune: { ...g.tune, bufsize } }
  return { plan: deepFreeze({ ...plan, global, frontends, backends }), warnings }
}

function capTargets (targets: readonly LogTarget[], maxLevel: number): readonly LogTarget[] {
  return targets.map(t => t.maxLevel > maxLevel ? { ...t, maxLevel } : t)
}

function stretchChecks (backends: ReadonlyMap<string, BackendPlan>, factor: number): Map<string, BackendPlan> {
  const out = new Map<string, BackendPlan>()
  for (const [name, be] of backends) {
    out.set(name, {
      ...be,
      servers: be.servers.map(s => ({
        ...s,
        check: { ...s.check, inter: s.check.inter * factor, fastinter: s.check.fastinter * factor, downinter: s.check.downinter * factor }
      }))
    })
  }
  return out
}

/** A loaded configuration fitted to <l>: its plan capped, the reasons added to its warnings. */
export function fitLoaded (r: LoadResult, l: Limits): LoadResult {
  if (!r.ok) return r
  const f = fitPlan(r.plan, l)
  return f.plan === r.plan ? r : { ...r, plan: f.plan, warnings: [...r.warnings, ...f.warnings] }
}
