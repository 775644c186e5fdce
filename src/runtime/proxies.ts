import type { Generation } from '../proxy/engine.ts'
import type { FrontendRuntime } from '../proxy/frontend-runtime.ts'
import type { BackendRuntime } from '../proxy/backend-runtime.ts'
import type { Plan } from '../config/plan.ts'

/** One configured proxy as HAProxy lists it: a frontend, a backend, or both (listen). */
export interface ProxyView {
  readonly name: string
  /** HAProxy's iid (see proxyIid) */
  readonly iid: number
  readonly fe: FrontendRuntime | null
  readonly be: BackendRuntime | null
}

/** HAProxy 2.6 gives the CLI's internal proxy the first id when a
 *  `stats socket` is declared, so every configured proxy's id moves up by one. */
export function proxyIid (plan: Plan, id: number): number {
  return plan.global.statsSockets.length > 0 ? id + 1 : id
}

/** The proxies of <gen> in declaration order (HAProxy's proxy list order for stats). */
export function proxiesOf (gen: Generation): ProxyView[] {
  const byId = new Map<number, { name: string; id: number; fe: FrontendRuntime | null; be: BackendRuntime | null }>()
  for (const fe of gen.frontends) byId.set(fe.plan.id, { name: fe.plan.name, id: fe.plan.id, fe, be: null })
  for (const be of gen.backends.values()) {
    const p = byId.get(be.plan.id)
    if (p !== undefined) p.be = be
    else byId.set(be.plan.id, { name: be.plan.name, id: be.plan.id, fe: null, be })
  }
  return [...byId.values()].sort((a, b) => a.id - b.id)
    .map(p => ({ name: p.name, iid: proxyIid(gen.plan, p.id), fe: p.fe, be: p.be }))
}

/** Finds "<backend>/<server>" in <gen>; the error texts are HAProxy's. */
export function findServer (gen: Generation, arg: string | undefined):
  { ok: true; be: BackendRuntime; srv: BackendRuntime['servers'][number] } | { ok: false; err: string } {
  const slash = arg === undefined ? -1 : arg.indexOf('/')
  if (arg === undefined || slash < 0) return { ok: false, err: "Require 'backend/server'.\n" }
  const be = gen.backends.get(arg.slice(0, slash))
  if (be === undefined) return { ok: false, err: 'No such backend.\n' }
  const srv = be.byName.get(arg.slice(slash + 1))
  if (srv === undefined) return { ok: false, err: 'No such server.\n' }
  return { ok: true, be, srv }
}
