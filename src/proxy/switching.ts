import type { StreamView } from '../core/stream-view.ts'
import type { SwitchRule } from '../config/plan.ts'
import type { BackendRuntime } from './backend-runtime.ts'

/** Told each rule's outcome: <name> is the backend it named when it matched, else null. */
export type SwitchTrace = (rule: SwitchRule, name: string | null) => void

/** The backend a stream goes to: the first matching `use_backend` (a dynamic
 *  name that does not exist falls through, as in HAProxy), else default_backend.
 *  <trace> (the UI's "why does this request go there") sees every rule tried. */
export function chooseBackend (rules: readonly SwitchRule[],
  defaultBackend: string | null, backends: ReadonlyMap<string, BackendRuntime>, view: StreamView, trace?: SwitchTrace): BackendRuntime | undefined {
  for (const rule of rules) {
    if (rule.cond !== null && !rule.cond(view)) { trace?.(rule, null); continue }
    const name = rule.backend ?? rule.dynamic!(view)
    trace?.(rule, name)
    if (rule.backend !== null) return backends.get(name)
    const be = backends.get(name)
    if (be !== undefined) return be
  }
  return defaultBackend === null ? undefined : backends.get(defaultBackend)
}
