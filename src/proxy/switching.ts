import type { StreamView } from '../core/stream-view.ts'
import type { SwitchRule } from '../config/plan.ts'
import type { BackendRuntime } from './backend-runtime.ts'

/** The backend a stream goes to: the first matching `use_backend` (a dynamic
 *  name that does not exist falls through, as in HAProxy), else default_backend. */
export function chooseBackend (rules: readonly SwitchRule[],
  defaultBackend: string | null, backends: ReadonlyMap<string, BackendRuntime>, view: StreamView): BackendRuntime | undefined {
  for (const rule of rules) {
    if (rule.cond !== null && !rule.cond(view)) continue
    if (rule.backend !== null) return backends.get(rule.backend)
    const dyn = rule.dynamic!(view)
    const be = backends.get(dyn)
    if (be !== undefined) return be
  }
  return defaultBackend === null ? undefined : backends.get(defaultBackend)
}
