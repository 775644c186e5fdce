import type { StreamView } from '../core/stream-view.ts'
import { DT } from '../rules/stick/data-types.ts'
import { toKey } from '../rules/stick/keys.ts'
import type { BackendRuntime } from './backend-runtime.ts'
import type { ServerRuntime } from './server-runtime.ts'

/** `stick match|on|store-request|store-response` of a backend (HAProxy
 *  process_sticking_rules / process_store_rules): the server stored for a
 *  key leads the next stream with that key back to it. */

/** The server a match rule finds for <view>: the first rule whose key is in
 *  its table with a server that can take traffic (or any, under `option persist`). */
export function stickMatch (be: BackendRuntime, view: StreamView): ServerRuntime | null {
  const rules = be.plan.stickRules
  if (rules === undefined) return null
  for (let i = 0; i < rules.length; i++) {
    const r = rules[i]
    if (!r.match || (r.cond !== null && !r.cond(view))) continue
    const v = r.key(view)
    if (v === undefined) continue
    const key = toKey(r.table.spec.type, r.table.spec.keyLen, v)
    const e = key === undefined ? undefined : r.table.lookup(key)
    if (e === undefined) continue
    const id = e.v[DT.serverId]
    for (const s of be.servers) {
      if (s.id === id) {
        if (s.usable || be.plan.persist) return s
        break
      }
    }
  }
  return null
}

/** Records <srv> for the keys of the store rules of <side> (one per table). */
export function stickStore (be: BackendRuntime, view: StreamView, srv: ServerRuntime, side: 'request' | 'response'): void {
  const rules = be.plan.stickRules
  if (rules === undefined) return
  let done = 0
  for (let i = 0; i < rules.length; i++) {
    const r = rules[i]
    if (r.store !== side || (r.cond !== null && !r.cond(view))) continue
    if ((done & (1 << i)) !== 0) continue
    const v = r.key(view)
    if (v === undefined) continue
    const key = toKey(r.table.spec.type, r.table.spec.keyLen, v)
    if (key === undefined) continue
    const e = r.table.obtain(key)
    if (e === null) continue
    r.table.write(e, DT.serverId, srv.id)
    e.serverKey = srv.name
    // one store per table: later rules naming the same table are skipped
    for (let j = i + 1; j < rules.length; j++) if (rules[j].table === r.table) done |= 1 << j
  }
}
