/** lb_kind DR in nftables (pure): the table `netdev pocketlb_dr`, one ingress
 *  chain per interface that receives a VIP. A packet for VIP:port is sent on,
 *  IP header untouched, to the chosen real server's MAC on the same link (`fwd
 *  ip to <rs> device <dev>`: the kernel resolves the neighbour); the real server
 *  holds the VIP on a non-ARPing interface and answers the client directly, so
 *  the balancer sees the client → server direction only.
 *
 *  Ingress comes before conntrack, so a flow stays on its server by:
 *  - the dispatch itself: rr/wrr hash the flow's addresses and ports (jhash of
 *    saddr . sport . daddr . dport, seeded per service) into the slot table, so
 *    every packet of a flow lands on the same server and the spread over servers
 *    is statistical (by weight for wrr), not in turn; sh/mh hash the source
 *    address as on NAT;
 *  - a dynamic set per real server of the flows sent to it, looked up first:
 *    when the slot table changes (a server up, down, reweighted), established
 *    flows keep their server. Entries expire after LVS's idle timeouts (TCP 900
 *    s, UDP 300 s, refreshed by every packet). A full set (65536 flows of one
 *    server) only loses that protection: the hash still places the flow. The
 *    flows of a server whose checks failed are dropped with its set (they move
 *    to a live server, which resets TCP ones; UDP ones go on there);
 *  - persistence_timeout: the same per-server source address sets as NAT.
 *
 *  Services follow the VIP as on NAT: `fib daddr type local` (which netdev
 *  ingress supports) matches only while the VIP is a local address of this node.
 *  The balancer's own connections to a DR VIP do not pass ingress and are not
 *  balanced. */
import { flowCounter, persistence, safeName, serverChain, serviceDispatch, trafficCounter, type TableBuilder } from './nft-names.ts'
import type { ServiceState } from './nft-ruleset.ts'

export const DR_TABLE = 'pocketlb_dr'

/** What identifies a flow in ingress (no conntrack there). */
const FLOW = 'ip saddr . th sport . ip daddr . th dport'
const FLOW_TYPE = 'ipv4_addr . inet_service . ipv4_addr . inet_service'
/** LVS's default idle timeouts of its connection entries (ipvsadm --set tcp udp). */
const FLOW_TIMEOUT_S: Readonly<Record<'tcp' | 'udp', number>> = { tcp: 900, udp: 300 }
const FLOW_SET_SIZE = 65536

/** Flows currently sent to a server. */
export const drFlowSet = (vs: ServiceState['plan'], id: string): string => `${serverChain(vs, id)}__f`
export const ingressChain = (dev: string): string => `ingress_${safeName(dev)}`

export function addDrService (t: TableBuilder, { plan: vs, weights, down }: ServiceState, dev: string): void {
  const p = vs.protocol
  const hook = ingressChain(dev)
  if (!t.chains.has(hook)) t.chains.set(hook, { decl: `type filter hook ingress device "${dev}" priority filter; policy accept;`, rules: [] })
  for (const a of vs.addresses) t.chains.get(hook)!.rules.push(`ip daddr ${a.addr} ${p} dport ${a.port} fib daddr type local goto ${vs.key}`)
  const { servers, chosen, last } = serviceDispatch(vs, weights, (m, seed) => `jhash ${FLOW} mod ${m} ${seed}`)
  const rules: string[] = []
  const sticky: string[] = []
  for (const [id, ep] of servers) {
    t.counters.add(flowCounter(vs, id)).add(trafficCounter(vs, id))
    const send = `counter name "${trafficCounter(vs, id)}" fwd ip to ${ep.addr} device "${dev}"`
    if (!down?.has(id) || chosen.has(id)) {
      t.sets.set(drFlowSet(vs, id), `{ type ${FLOW_TYPE}; size ${FLOW_SET_SIZE}; flags dynamic,timeout; timeout ${FLOW_TIMEOUT_S[p]}s; }`)
      rules.push(`${FLOW} @${drFlowSet(vs, id)} update @${drFlowSet(vs, id)} { ${FLOW} } ${send}`)
    }
    if (!chosen.has(id)) continue
    const persistent = persistence(t, vs, id)
    if (persistent) sticky.push(persistent.lookup)
    t.chains.set(serverChain(vs, id), {
      decl: null,
      rules: [
        // alone in its rule: a full set must not stop the packet
        `update @${drFlowSet(vs, id)} { ${FLOW} }`,
        `${persistent?.update ?? ''}counter name "${flowCounter(vs, id)}" ${send}`
      ]
    })
  }
  rules.push(...sticky, last)
  t.chains.set(vs.key, { decl: null, rules })
}
