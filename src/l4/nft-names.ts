/** Names of the nftables objects of a virtual service (chains, counters, sets),
 *  shared by its NAT ruleset (nft-ruleset.ts), its DR ruleset (dr-ruleset.ts)
 *  and the status reader; and the dispatch rule from a slot table. Pure. */
import type { L4Endpoint, VirtualServerPlan } from './plan.ts'
import { slotTable, type SlotTable } from './slots.ts'
import { djb2 } from '../core/hash.ts'

/** A table being built: chain name → [declaration (base chains) or null, rules]. */
export interface TableModel {
  readonly chains: ReadonlyMap<string, { readonly decl: string | null; readonly rules: readonly string[] }>
  /** set name → declaration */
  readonly sets: ReadonlyMap<string, string>
  readonly counters: ReadonlySet<string>
}

export interface TableBuilder extends TableModel {
  readonly chains: Map<string, { decl: string | null; rules: string[] }>
  readonly sets: Map<string, string>
  readonly counters: Set<string>
}

export function tableBuilder (baseChains: readonly (readonly [string, string])[]): TableBuilder {
  return { chains: new Map(baseChains.map(([name, decl]) => [name, { decl, rules: [] }])), sets: new Map(), counters: new Set() }
}

export const safeName = (s: string): string => s.replace(/[^A-Za-z0-9]/g, '_')
export const realServerId = (rs: L4Endpoint): string => `${rs.addr}:${rs.port}`
export const SORRY_ID = 'sorry'
export const serverChain = (vs: VirtualServerPlan, id: string): string => `${vs.key}__${safeName(id)}`
/** Counter of the flows a server was chosen for (counted when the flow is dispatched to it). */
export const flowCounter = (vs: VirtualServerPlan, id: string): string => `${serverChain(vs, id)}__flows`
/** Counter of the packets/bytes of the flows sent to a server (NAT: both directions; DR: client → server only). */
export const trafficCounter = (vs: VirtualServerPlan, id: string): string => `${serverChain(vs, id)}__traffic`
/** persistence_timeout: client addresses recently sent to a server */
const persistSet = (vs: VirtualServerPlan, id: string): string => `${serverChain(vs, id)}__p${vs.persistenceTimeout}`
/** Declaration of a persistence set: client addresses, each kept for the timeout after its last new flow. */
const persistSetDecl = (vs: VirtualServerPlan): string =>
  `{ type ipv4_addr; flags dynamic,timeout; timeout ${Math.ceil(vs.persistenceTimeout / 1000)}s; }`

/** Picks the slot of a new flow for a 'numgen' table (rr, wrr), from the table's modulus and the service's hash seed. */
export type TurnKey = (modulus: number, seed: string) => string

/** The rule that sends a new flow to its server's chain: <turn> for the 'numgen'
 *  tables (rr, wrr), `jhash ip saddr` for the hash ones (sh, mh). */
function dispatch (table: SlotTable, vs: VirtualServerPlan, turn: TurnKey): string {
  const target = (id: string): string => `goto ${serverChain(vs, id)}`
  if (table.ranges.length === 1) return target(table.ranges[0]!.id)
  const elems = table.ranges.map(r => `${r.lo === r.hi ? r.lo : `${r.lo}-${r.hi}`} : ${target(r.id)}`).join(', ')
  // a seed fixed per service keeps clients on their server across reloads
  const seed = `seed 0x${(djb2(vs.key, 0, vs.key.length) >>> 0).toString(16)}`
  const key = table.source === 'numgen' ? turn(table.modulus, seed) : `jhash ip saddr mod ${table.modulus} ${seed}`
  return `${key} vmap { ${elems} }`
}

/** What NAT and DR both derive from a service and its weights now. */
export interface ServiceDispatch {
  /** every server by id: the real servers, then the sorry server */
  readonly servers: readonly (readonly [string, L4Endpoint])[]
  /** the servers new flows may go to (the sorry server while no real server is usable) */
  readonly chosen: ReadonlySet<string>
  /** the last rule of the service chain: dispatch, the sorry server, or back (nothing usable) */
  readonly last: string
}

export function serviceDispatch (vs: VirtualServerPlan, weights: ReadonlyMap<string, number>, turn: TurnKey): ServiceDispatch {
  const servers: [string, L4Endpoint][] = vs.realServers.map(rs => [realServerId(rs), rs])
  if (vs.sorryServer) servers.push([SORRY_ID, vs.sorryServer])
  const table = slotTable(vs.algo, vs.realServers.map(rs => ({ id: realServerId(rs), weight: weights.get(realServerId(rs)) ?? 0 })))
  const chosen = new Set(table?.ranges.map(r => r.id) ?? (vs.sorryServer ? [SORRY_ID] : []))
  return { servers, chosen, last: table ? dispatch(table, vs, turn) : chosen.size ? `goto ${serverChain(vs, SORRY_ID)}` : 'return' }
}

/** persistence_timeout of real server <id>: its set declared in <t>, the rule
 *  sending its known clients to it and the statement refreshing them; null
 *  without persistence (and for the sorry server). */
export function persistence (t: TableBuilder, vs: VirtualServerPlan, id: string): { readonly lookup: string; readonly update: string } | null {
  if (vs.persistenceTimeout <= 0 || id === SORRY_ID) return null
  t.sets.set(persistSet(vs, id), persistSetDecl(vs))
  return { lookup: `ip saddr @${persistSet(vs, id)} goto ${serverChain(vs, id)}`, update: `update @${persistSet(vs, id)} { ip saddr } ` }
}
