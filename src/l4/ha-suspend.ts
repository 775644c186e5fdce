/** ha_suspend: keepalived suspends the checks of a virtual server while its VIP is
 *  not an address of the node (a VRRP backup), and resumes them when it comes
 *  back. keepalived learns address changes from netlink; pocketlb looks every
 *  VIP_POLL_MS (the VIPs are added and removed by the VRRP engine's own process). */
import { networkInterfaces } from 'node:os'
import type { VirtualServerPlan } from './plan.ts'

export const VIP_POLL_MS = 1000

/** The IPv4 addresses of this node (its network namespace) now. */
export function localIpv4 (): Set<string> {
  const out = new Set<string>()
  for (const list of Object.values(networkInterfaces())) for (const a of list ?? []) if (a.family === 'IPv4') out.add(a.address)
  return out
}

/** True when the checks of <vs> are held: ha_suspend and none of its VIPs in <local>. */
export const checksHeld = (vs: VirtualServerPlan, local: ReadonlySet<string>): boolean =>
  vs.haSuspend === true && !vs.addresses.some(a => local.has(a.addr))
