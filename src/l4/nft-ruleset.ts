/** The nftables text for the virtual services (pure). One table, `ip pocketlb_l4`,
 *  owned by pocketlb; every change is one `nft -f -` transaction built by
 *  nftTransaction(): objects are added (idempotent), every chain is flushed and
 *  refilled, and what the new ruleset lacks is deleted. Counters and persistence
 *  sets of servers that stay are never recreated, so they keep their values, and
 *  conntrack keeps the DNAT of established flows whatever the rules become. */
import type { L4Endpoint, RealServerPlan, VirtualServerPlan } from './plan.ts'
import { slotTable, type SlotTable } from './slots.ts'
import { djb2 } from '../core/hash.ts'

export const L4_TABLE = 'pocketlb_l4'
const T = `ip ${L4_TABLE}`

/** Base chains: DNAT of new flows (prerouting; output for the balancer's own
 *  clients), masquerade (postrouting), and per-server traffic counters (forward). */
const BASE_CHAINS: readonly (readonly [string, string])[] = [
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
}

export interface NftModel {
  /** chain name → [declaration (base chains) or null, rules] */
  readonly chains: ReadonlyMap<string, { readonly decl: string | null; readonly rules: readonly string[] }>
  /** set name → declaration */
  readonly sets: ReadonlyMap<string, string>
  readonly counters: ReadonlySet<string>
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

const safe = (s: string): string => s.replace(/[^A-Za-z0-9]/g, '_')
export const realServerId = (rs: L4Endpoint): string => `${rs.addr}:${rs.port}`
const serverChain = (vs: VirtualServerPlan, id: string): string => `${vs.key}__${safe(id)}`
/** Counter of the flows a server was chosen for (counted in its DNAT chain). */
export const flowCounter = (vs: VirtualServerPlan, id: string): string => `${serverChain(vs, id)}__flows`
/** Counter of the packets/bytes, both directions, of the flows DNATed to a server. */
export const trafficCounter = (vs: VirtualServerPlan, id: string): string => `${serverChain(vs, id)}__traffic`
const persistSet = (vs: VirtualServerPlan, id: string): string => `${serverChain(vs, id)}__p${vs.persistenceTimeout}`
export const SORRY_ID = 'sorry'

function dispatch (table: SlotTable, vs: VirtualServerPlan): string {
  const target = (id: string): string => `goto ${serverChain(vs, id)}`
  if (table.ranges.length === 1) return target(table.ranges[0]!.id)
  const elems = table.ranges.map(r => `${r.lo === r.hi ? r.lo : `${r.lo}-${r.hi}`} : ${target(r.id)}`).join(', ')
  // a seed fixed per service keeps sh/mh clients on their server across reloads
  const key = table.source === 'numgen'
    ? `numgen inc mod ${table.modulus}`
    : `jhash ip saddr mod ${table.modulus} seed 0x${(djb2(vs.key, 0, vs.key.length) >>> 0).toString(16)}`
  return `${key} vmap { ${elems} }`
}

/** The ruleset for <services>, as objects by name. */
export function buildModel (services: readonly ServiceState[]): NftModel {
  const chains = new Map<string, { decl: string | null; rules: string[] }>()
  for (const [name, decl] of BASE_CHAINS) chains.set(name, { decl, rules: [] })
  const sets = new Map<string, string>()
  const counters = new Set<string>()
  const base = (name: string): string[] => chains.get(name)!.rules
  for (const { plan: vs, weights } of services) {
    const p = vs.protocol
    const servers: [string, RealServerPlan | L4Endpoint][] = vs.realServers.map(rs => [realServerId(rs), rs])
    if (vs.sorryServer) servers.push([SORRY_ID, vs.sorryServer])
    for (const a of vs.addresses) {
      const match = `ip daddr ${a.addr} fib daddr type local ${p} dport ${a.port} goto ${vs.key}`
      base('hook_prerouting').push(match)
      base('hook_output').push(match)
      base('hook_postrouting').push(`meta l4proto ${p} ct status dnat ct original ip daddr ${a.addr} ct original proto-dst ${a.port} masquerade`)
    }
    const table = slotTable(vs.algo, vs.realServers.map(rs => ({ id: realServerId(rs), weight: weights.get(realServerId(rs)) ?? 0 })))
    const chosen = new Set(table?.ranges.map(r => r.id) ?? (vs.sorryServer ? [SORRY_ID] : []))
    const rules: string[] = p === 'tcp' ? [`ct timeout set "${TCP_TIMEOUT}"`] : []
    for (const [id, ep] of servers) {
      counters.add(flowCounter(vs, id)).add(trafficCounter(vs, id))
      for (const a of vs.addresses) {
        base('hook_forward').push(`meta l4proto ${p} ct status dnat ct original ip daddr ${a.addr} ct original proto-dst ${a.port} ` +
          `ct reply ip saddr ${ep.addr} ct reply proto-src ${ep.port} counter name "${trafficCounter(vs, id)}"`)
      }
      if (!chosen.has(id)) continue
      const sticky = vs.persistenceTimeout > 0 && id !== SORRY_ID
      if (sticky) {
        sets.set(persistSet(vs, id), `{ type ipv4_addr; flags dynamic,timeout; timeout ${Math.ceil(vs.persistenceTimeout / 1000)}s; }`)
        rules.push(`ip saddr @${persistSet(vs, id)} goto ${serverChain(vs, id)}`)
      }
      chains.set(serverChain(vs, id), {
        decl: null,
        rules: [`${sticky ? `update @${persistSet(vs, id)} { ip saddr } ` : ''}counter name "${flowCounter(vs, id)}" meta l4proto ${p} dnat to ${ep.addr}:${ep.port}`]
      })
    }
    rules.push(table ? dispatch(table, vs) : chosen.size ? `goto ${serverChain(vs, SORRY_ID)}` : 'return')
    chains.set(vs.key, { decl: null, rules })
  }
  return { chains, sets, counters }
}

/** One transaction from <prev> (null: whatever is there, the table is recreated)
 *  to <next>. Order matters: rules referencing objects come after their `add`,
 *  deletions after the flushes that drop the references. */
export function nftTransaction (prev: NftModel | null, next: NftModel): string {
  const out: string[] = [`add table ${T}`]
  if (prev === null) out.push(`delete table ${T}`, `add table ${T}`)
  out.push(`add ct timeout ${T} ${TCP_TIMEOUT} ${TCP_TIMEOUT_DECL}`)
  for (const c of next.counters) out.push(`add counter ${T} ${c}`)
  for (const [name, decl] of next.sets) out.push(`add set ${T} ${name} ${decl}`)
  for (const [name, c] of next.chains) out.push(c.decl === null ? `add chain ${T} ${name}` : `add chain ${T} ${name} { ${c.decl} }`)
  for (const name of next.chains.keys()) if (prev?.chains.has(name)) out.push(`flush chain ${T} ${name}`)
  for (const [name, c] of next.chains) for (const r of c.rules) out.push(`add rule ${T} ${name} ${r}`)
  if (prev !== null) {
    for (const name of prev.chains.keys()) if (!next.chains.has(name)) out.push(`flush chain ${T} ${name}`)
    for (const name of prev.chains.keys()) if (!next.chains.has(name)) out.push(`delete chain ${T} ${name}`)
    for (const name of prev.sets.keys()) if (!next.sets.has(name)) out.push(`delete set ${T} ${name}`)
    for (const name of prev.counters) if (!next.counters.has(name)) out.push(`delete counter ${T} ${name}`)
  }
  return out.join('\n') + '\n'
}

export const deleteTableText = `delete table ${T}\n`
