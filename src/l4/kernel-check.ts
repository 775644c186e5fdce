/** `-c` for the kernel path: the ruleset every service needs, dry-run in the
 *  kernel (`nft -c`), so that a missing nftables feature (nat, fib, numgen,
 *  jhash, dynamic sets, netdev ingress and fwd for lb_kind DR) is reported
 *  before anything is applied. When the kernel refuses, each service is
 *  dry-run alone to name the ones it cannot carry, with file:line and the
 *  features their rules use. lb_kind DR services are first checked against
 *  this node's interfaces (dr-topology.ts). */
import type { VirtualServerPlan } from './plan.ts'
import { buildModel, nftTransaction, realServerId } from './nft-ruleset.ts'
import { drTopology, readIpv4Addresses, type DrLinks } from './dr-topology.ts'
import { nftApply } from './nft.ts'
import { ipForwarding } from './service.ts'
import { whereText } from '../core/where.ts'

export interface KernelCheck { readonly alerts: string[]; readonly warnings: string[] }

/** The transaction <plans> need at most: every real server up. */
const fullTransaction = (plans: readonly VirtualServerPlan[], links: DrLinks): string =>
  nftTransaction(null, buildModel(plans.map(plan => ({ plan, weights: new Map(plan.realServers.map(rs => [realServerId(rs), rs.weight])) })), links))

/** Optional nftables features by the text that uses them (nat, fib and ct timeout policies are in every ruleset). */
const OPTIONAL_FEATURES: readonly (readonly [string, string])[] = [
  ['numgen inc', 'numgen'], ['jhash', 'jhash'], ['flags dynamic,timeout', 'dynamic sets with timeouts'],
  ['hook ingress', 'netdev ingress'], ['fwd ip to', 'fwd (netdev)']
]

function featuresOf (text: string): string {
  return ['nat (dnat, masquerade)', 'fib', 'ct (with timeout policies)', ...OPTIONAL_FEATURES.filter(([t]) => text.includes(t)).map(([, f]) => f)].join(', ')
}

const firstLine = (s: string): string => s.split('\n')[0] ?? ''

/** Also checks that every lb_kind DR service can reach its real servers on the VIP's link (dr-topology.ts). */
export async function checkL4Kernel (plans: readonly VirtualServerPlan[]): Promise<KernelCheck> {
  const alerts: string[] = []; const warnings: string[] = []
  if (!plans.length) return { alerts, warnings }
  const topology = drTopology(plans, plans.some(vs => vs.kind === 'DR') ? await readIpv4Addresses() : [])
  alerts.push(...topology.alerts)
  const carried = plans.filter(vs => vs.kind === 'NAT' || topology.links.has(vs.key))
  const r = await nftApply(fullTransaction(carried, topology.links), true)
  if (!r.ok) {
    const before = alerts.length
    for (const vs of carried) {
      const text = fullTransaction([vs], topology.links)
      const alone = await nftApply(text, true)
      if (!alone.ok) alerts.push(`${whereText(vs.where)}: virtual_server ${vs.name}: this kernel's nftables refuses its rules (they need ${featuresOf(text)}): ${firstLine(alone.stderr)}`)
    }
    if (alerts.length === before) alerts.push(`virtual_server: the kernel refused the nftables ruleset: ${r.stderr}`)
  }
  if (plans.some(vs => vs.kind === 'NAT') && !ipForwarding()) warnings.push('virtual_server: net.ipv4.ip_forward is 0; lb_kind NAT needs it, pocketlb sets it to 1 at start')
  return { alerts, warnings }
}
