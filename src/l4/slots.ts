/** How each algorithm spreads new flows over the usable real servers, as the
 *  table nftables looks up: `numgen inc mod <modulus>` (rr, wrr) or
 *  `jhash ip saddr mod <modulus>` (sh, mh) → a range of values → a server.
 *  Pure: computed when the set of usable servers or their weights change. */
import type { L4Algo } from './plan.ts'
import { djb2, sdbm } from '../core/hash.ts'

/** A usable server: <id> is what the caller gets back in the ranges. */
export interface WeightedServer { readonly id: string; readonly weight: number }

export interface SlotRange { readonly lo: number; readonly hi: number; readonly id: string }

export interface SlotTable {
  /** 'numgen': one value per new flow in turn; 'hash': a hash of the client address */
  readonly source: 'numgen' | 'hash'
  readonly modulus: number
  /** consecutive values going to the same server are merged */
  readonly ranges: readonly SlotRange[]
}

/** Longest wrr cycle kept exact; bigger weight sums are scaled down to about this. */
const MAX_WRR_CYCLE = 4096
/** LVS sh's table size (IP_VS_SH_TAB_SIZE) */
const SH_BUCKETS = 256
/** A small prime for the Maglev table (LVS mh defaults to 65537; one nft map element per slot) */
const MH_BUCKETS = 251

const gcd = (a: number, b: number): number => b === 0 ? a : gcd(b, a % b)

function merge (ids: readonly string[]): SlotRange[] {
  const out: SlotRange[] = []
  for (let i = 0; i < ids.length; i++) {
    const last = out[out.length - 1]
    if (last !== undefined && last.id === ids[i]) out[out.length - 1] = { lo: last.lo, hi: i, id: last.id }
    else out.push({ lo: i, hi: i, id: ids[i]! })
  }
  return out
}

/** LVS wrr's sequence (ip_vs_wrr: the current weight steps down by the gcd; each
 *  pass takes the servers whose weight reaches it), weights scaled when too long. */
function wrrCycle (servers: readonly WeightedServer[]): string[] {
  let weights = servers.map(s => s.weight)
  const sum = weights.reduce((a, b) => a + b, 0)
  if (sum / weights.reduce(gcd) > MAX_WRR_CYCLE) weights = weights.map(w => Math.max(1, Math.round(w * MAX_WRR_CYCLE / sum)))
  const g = weights.reduce(gcd)
  const max = Math.max(...weights)
  const out: string[] = []
  for (let cw = max; cw > 0; cw -= g) {
    for (let i = 0; i < servers.length; i++) if (weights[i]! >= cw) out.push(servers[i]!.id)
  }
  return out
}

/** LVS sh: buckets handed out in turn, each server taking <weight> consecutive buckets. */
function shBuckets (servers: readonly WeightedServer[]): string[] {
  const out: string[] = []
  while (out.length < SH_BUCKETS) {
    for (const s of servers) for (let w = 0; w < s.weight && out.length < SH_BUCKETS; w++) out.push(s.id)
  }
  return out
}

/** Maglev population (as LVS mh): each server walks its own permutation of the
 *  table and takes the next free slot, <weight>/gcd turns per round. A server's
 *  permutation depends only on its id, so adding or removing one moves few slots. */
function maglev (servers: readonly WeightedServer[]): string[] {
  const g = servers.map(s => s.weight).reduce(gcd)
  const perm = servers.map(s => ({ offset: djb2(s.id, 0, s.id.length) % MH_BUCKETS, skip: sdbm(s.id, 0, s.id.length) % (MH_BUCKETS - 1) + 1, next: 0 }))
  const table: (string | null)[] = new Array<string | null>(MH_BUCKETS).fill(null)
  let filled = 0
  while (filled < MH_BUCKETS) {
    for (let i = 0; i < servers.length && filled < MH_BUCKETS; i++) {
      for (let turn = 0; turn < servers[i]!.weight / g && filled < MH_BUCKETS; turn++) {
        const p = perm[i]!
        let slot = (p.offset + p.next * p.skip) % MH_BUCKETS
        while (table[slot] !== null) { p.next++; slot = (p.offset + p.next * p.skip) % MH_BUCKETS }
        table[slot] = servers[i]!.id
        p.next++
        filled++
      }
    }
  }
  return table as string[]
}

/** The table for <algo> over <servers> (weight > 0 only), or null when none is usable. */
export function slotTable (algo: L4Algo, servers: readonly WeightedServer[]): SlotTable | null {
  const usable = servers.filter(s => s.weight > 0)
  if (!usable.length) return null
  switch (algo) {
    case 'rr': return { source: 'numgen', modulus: usable.length, ranges: merge(usable.map(s => s.id)) }
    case 'wrr': { const c = wrrCycle(usable); return { source: 'numgen', modulus: c.length, ranges: merge(c) } }
    case 'sh': return { source: 'hash', modulus: SH_BUCKETS, ranges: merge(shBuckets(usable)) }
    case 'mh': return { source: 'hash', modulus: MH_BUCKETS, ranges: merge(maglev(usable)) }
  }
}
