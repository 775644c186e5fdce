/** `-c` for the kernel path: the ruleset every service needs, dry-run in the
 *  kernel (`nft -c`), so that a missing nftables feature (nat, fib, numgen,
 *  jhash, dynamic sets) is reported before anything is applied. */
import type { VirtualServerPlan } from './plan.ts'
import { buildModel, nftTransaction, realServerId } from './nft-ruleset.ts'
import { nftApply } from './nft.ts'
import { ipForwarding } from './service.ts'

export interface KernelCheck { readonly alerts: string[]; readonly warnings: string[] }

export async function checkL4Kernel (plans: readonly VirtualServerPlan[]): Promise<KernelCheck> {
  const alerts: string[] = []; const warnings: string[] = []
  if (!plans.length) return { alerts, warnings }
  // every real server up: the largest ruleset these services can need
  const model = buildModel(plans.map(plan => ({ plan, weights: new Map(plan.realServers.map(rs => [realServerId(rs), rs.weight])) })))
  const r = await nftApply(nftTransaction(null, model), true)
  if (!r.ok) alerts.push(`virtual_server: the kernel refused the nftables ruleset (nothing applied): ${r.stderr}`)
  if (!ipForwarding()) warnings.push('virtual_server: net.ipv4.ip_forward is 0; lb_kind NAT needs it, pocketlb sets it to 1 at start')
  return { alerts, warnings }
}
