/** The nftables text for the virtual services (pure). Two tables owned by
 *  pocketlb: `ip pocketlb_l4` (lb_kind NAT) and, only when a service is lb_kind
 *  DR, `netdev pocketlb_dr` (dr-ruleset.ts). Every change is one `nft -f -`
 *  transaction over both, built by nftTransaction(): objects are added
 *  (idempotent), every chain is flushed and refilled, and what the new ruleset
 *  lacks is deleted. Counters and sets of servers that stay are never recreated,
 *  so they keep their values, and conntrack keeps the DNAT of established NAT
 *  flows whatever the rules become. */
import type { VirtualServerPlan } from './plan.ts'
import { flowCounter, persistence, serverChain, serviceDispatch, tableBuilder, trafficCounter, type TableBuilder, type TableModel } from './nft-names.ts'
import { DR_TABLE, addDrService } from './dr-ruleset.ts'
import type { DrLinks } from './dr-topology.ts'

export { SORRY_ID, flowCounter, realServerId, trafficCounter } from './nft-names.ts'
export const L4_TABLE = 'pocketlb_l4'
const T = `ip ${L4_TABLE}`
const DR_T = `netdev ${DR_TABLE}`

/** Base chains: no conntrack for new flows to a VIP held elsewhere (raw), DNAT
 *  of new flows (prerouting; output for the balancer's own clients), masquerade
 *  (postrouting), and per-server traffic counters (forward). */
const BASE_CHAINS: readonly (readonly [string, string])[] = [
  ['hook_raw', 'type filter hook prerouting priority raw; policy accept;'],
  ['hook_prerouting', 'type nat hook prerouting priority dstnat; policy accept;'],
  ['hook_output', 'type nat hook output priority -100; policy accept;'],
  ['hook_postrouting', 'type nat hook postrouting priority srcnat; policy accept;'],
  ['hook_forward', 'type filter hook forward priority filter; policy accept;']
]

/** A service and the weight each of its real servers has now (0 = not chosen:
 *  down, inhibited or weight 0), keyed by realServerId(). */
export interface ServiceState {
  readonly plan: VirtualServerPlan
  readonly weights: ReadonlyMap<string, number>
  /** real servers whose checks failed: lb_kind DR stops sending their established flows to them (NAT: conntrack keeps them) */
  readonly down?: ReadonlySet<string>
}

/** The NAT table (`ip pocketlb_l4`) and, when a service is lb_kind DR, the DR table (`netdev pocketlb_dr`). */
export interface NftModel {
  readonly nat: TableModel
  readonly dr: TableModel | null
}

/** Conntrack timeout policy of the balanced TCP flows. Every flow is masqueraded
 *  to the balancer's address, so each real server ip:port offers ~64k source
 *  ports, and conntrack holds a closed flow's port for its TIME_WAIT: with the
 *  kernel's 120 s, ~530 new connections/s per real server sustained exhaust them
 *  (new SYNs wait for a port). 10 s still covers a lost last ACK's FIN
 *  retransmits, and lifts that to ~6400/s. Only our flows get it (set in their
 *  DNAT chain), nothing else on the box. */
const TCP_TIMEOUT = 'plb_tcp'
const TCP_TIMEOUT_DECL = '{ protocol tcp; l3proto ip; policy = { time_wait: 10 }; }'

/** Conntrack timeout policy of the balanced UDP flows (the kernel's default is
 *  30 s unreplied, 120 s once a flow has lived 2 s with replies). unreplied also
 *  ends a request/response exchange (DNS-like: answered within 2 s), and its
 *  masquerade port is held until then: 10 s frees the ~64k ports per real server
 *  at ~6400 exchanges/s instead of ~2100, and still outlasts a resolver's retry
 *  (sent from a new port anyway). replied, for flows that go on both ways (VPN,
 *  SIP, QUIC, games), is LVS's own UDP timeout, 300 s (ipvsadm --set, keepalived):
 *  such a flow stays on its real server through idle gaps as on keepalived.
 *  persistence_timeout is independent (a client's address in a set). */
const UDP_TIMEOUT = 'plb_udp'
const UDP_TIMEOUT_DECL = '{ protocol udp; l3proto ip; policy = { unreplied: 10, replied: 300 }; }'
const CT_TIMEOUT: Readonly<Record<'tcp' | 'udp', string>> = { tcp: TCP_TIMEOUT, udp: UDP_TIMEOUT }

/** The packets that open a flow (UDP: any, the fib lookup is per datagram). */
const FLOW_START: Readonly<Record<'tcp' | 'udp', string>> = { tcp: 'tcp flags & (syn | ack) == syn ', udp: '' }

function addNatService (t: TableBuilder, { plan: vs, weights }: ServiceState): void {
  const p = vs.protocol
  const base = (name: string): string[] => t.chains.get(name)!.rules
  for (const a of vs.addresses) {
    // A flow that reaches this node while its VIP is elsewhere (a client's ARP cache
    // still naming it, a VRRP backup) is only forwarded, and left untracked: an entry
    // without DNAT would outlive a takeover here and deliver the flow's retransmitted
    // SYN locally (refused) instead of balancing it.
    base('hook_raw').push(`ip daddr ${a.addr} ${p} dport ${a.port} ${FLOW_START[p]}fib daddr type != local notrack`)
    const match = `ip daddr ${a.addr} fib daddr type local ${p} dport ${a.port} goto ${vs.key}`
    base('hook_prerouting').push(match)
    base('hook_output').push(match)
    base('hook_postrouting').push(`meta l4proto ${p} ct status dnat ct original ip daddr ${a.addr} ct original proto-dst ${a.port} masquerade`)
  }
  const { servers, chosen, last } = serviceDispatch(vs, weights, m => `numgen inc mod ${m}`)
  const rules: string[] = [`ct timeout set "${CT_TIMEOUT[p]}"`]
  for (const [id, ep] of servers) {
    t.counters.add(flowCounter(vs, id)).add(trafficCounter(vs, id))
    for (const a of vs.addresses) {
      base('hook_forward').push(`meta l4proto ${p} ct status dnat ct original ip daddr ${a.addr} ct original proto-dst ${a.port} ` +
        `ct reply ip saddr ${ep.addr} ct reply proto-src ${ep.port} counter name "${trafficCounter(vs, id)}"`)
    }
    if (!chosen.has(id)) continue
    const sticky = persistence(t, vs, id)
    if (sticky) rules.push(sticky.lookup)
    t.chains.set(serverChain(vs, id), { decl: null, rules: [`${sticky?.update ?? ''}counter name "${flowCounter(vs, id)}" meta l4proto ${p} dnat to ${ep.addr}:${ep.port}`] })
  }
  rules.push(last)
  t.chains.set(vs.key, { decl: null, rules })
}

/** The ruleset for <services>, as objects by name; <links> gives the interface of each lb_kind DR service (dr-topology.ts). */
export function buildModel (services: readonly ServiceState[], links: DrLinks = new Map()): NftModel {
  const nat = tableBuilder(BASE_CHAINS)
  let dr: TableBuilder | null = null
  for (const s of services) {
    if (s.plan.kind === 'NAT') { addNatService(nat, s); continue }
    const dev = links.get(s.plan.key)
    if (dev === undefined) throw new Error(`virtual_server ${s.plan.name}: lb_kind DR has no interface (topology not resolved)`)
    dr ??= tableBuilder([])
    addDrService(dr, s, dev)
  }
  return { nat, dr }
}

/** The statements that take table <t> from <prev> (null: new, empty) to <next>.
 *  Order matters: rules referencing objects come after their `add`, deletions
 *  after the flushes that drop the references. */
function tableChange (t: string, prev: TableModel | null, next: TableModel, out: string[]): void {
  for (const c of next.counters) out.push(`add counter ${t} ${c}`)
  for (const [name, decl] of next.sets) out.push(`add set ${t} ${name} ${decl}`)
  for (const [name, c] of next.chains) out.push(c.decl === null ? `add chain ${t} ${name}` : `add chain ${t} ${name} { ${c.decl} }`)
  for (const name of next.chains.keys()) if (prev?.chains.has(name)) out.push(`flush chain ${t} ${name}`)
  for (const [name, c] of next.chains) for (const r of c.rules) out.push(`add rule ${t} ${name} ${r}`)
  if (prev === null) return
  for (const name of prev.chains.keys()) if (!next.chains.has(name)) out.push(`flush chain ${t} ${name}`)
  for (const name of prev.chains.keys()) if (!next.chains.has(name)) out.push(`delete chain ${t} ${name}`)
  for (const name of prev.sets.keys()) if (!next.sets.has(name)) out.push(`delete set ${t} ${name}`)
  for (const name of prev.counters) if (!next.counters.has(name)) out.push(`delete counter ${t} ${name}`)
}

/** `add` then `delete`: removes table <t> whether it exists or not (nft 1.0.6 has no `destroy`). */
const dropTable = (t: string): string[] => [`add table ${t}`, `delete table ${t}`]

/** One transaction (all or nothing, both tables) from <prev> (null: whatever
 *  is there, the tables are recreated) to <next>. Counters and sets of the
 *  servers that stay are never recreated, so they keep their values. */
export function nftTransaction (prev: NftModel | null, next: NftModel): string {
  const out: string[] = prev === null ? [...dropTable(T), ...dropTable(DR_T)] : []
  out.push(`add table ${T}`, `add ct timeout ${T} ${TCP_TIMEOUT} ${TCP_TIMEOUT_DECL}`, `add ct timeout ${T} ${UDP_TIMEOUT} ${UDP_TIMEOUT_DECL}`)
  tableChange(T, prev?.nat ?? null, next.nat, out)
  if (next.dr !== null) {
    out.push(`add table ${DR_T}`)
    tableChange(DR_T, prev?.dr ?? null, next.dr, out)
  } else if (prev?.dr) out.push(`delete table ${DR_T}`)
  return out.join('\n') + '\n'
}

/** Removes both tables (stop); established NAT flows keep their conntrack entries. */
export const deleteTableText = [`delete table ${T}`, ...dropTable(DR_T)].join('\n') + '\n'
