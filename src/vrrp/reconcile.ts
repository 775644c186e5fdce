/** What a reload does to the running vrrp_instances (pure). keepalived keeps an
 *  instance that is still configured, with its state, and applies its new
 *  priority, advert_int, VIPs and tracks in place; what cannot change in place
 *  (interface, VRID, version, source address, peers: the socket and the
 *  router's identity) makes it a removal plus an addition. */
import type { VipPlan, VrrpInstancePlan } from './types.ts'

export interface InstanceDiff<I> {
  /** running instances and the plan each moves to */
  readonly kept: readonly (readonly [I, VrrpInstancePlan])[]
  /** plans to start (INIT → BACKUP, as at start) */
  readonly added: readonly VrrpInstancePlan[]
  /** running instances to stop (a master resigns with priority 0) */
  readonly removed: readonly I[]
}

/** True when <b> can replace <a> on the same running instance. */
export function sameRouter (a: VrrpInstancePlan, b: VrrpInstancePlan): boolean {
  return a.interface === b.interface && a.vrid === b.vrid && a.version === b.version &&
    a.unicastSrcIp === b.unicastSrcIp && a.unicastPeers.join(' ') === b.unicastPeers.join(' ')
}

/** Matches running instances <running> (by name) against the new plans <next>. */
export function diffInstances<I> (running: readonly I[], planOf: (i: I) => VrrpInstancePlan, next: readonly VrrpInstancePlan[]): InstanceDiff<I> {
  const byName = new Map(running.map(i => [planOf(i).name, i]))
  const kept: (readonly [I, VrrpInstancePlan])[] = []; const added: VrrpInstancePlan[] = []
  for (const p of next) {
    const i = byName.get(p.name)
    if (i !== undefined && sameRouter(planOf(i), p)) { kept.push([i, p]); byName.delete(p.name) } else added.push(p)
  }
  return { kept, added, removed: [...byName.values()] }
}

const vipKey = (v: VipPlan): string => `${v.addr}/${v.prefixLen} ${v.dev} ${v.label ?? ''}`

/** The addresses of <before> not in <after> (removed) and of <after> not in <before> (added). */
export function diffVips (before: readonly VipPlan[], after: readonly VipPlan[]): { added: VipPlan[]; removed: VipPlan[] } {
  const was = new Set(before.map(vipKey)); const now = new Set(after.map(vipKey))
  return { added: after.filter(v => !was.has(vipKey(v))), removed: before.filter(v => !now.has(vipKey(v))) }
}
