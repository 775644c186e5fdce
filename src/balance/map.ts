import type { LbServer } from './types.ts'
import { Farm, FarmEntry, hasRoom } from './farm.ts'

/** HAProxy's lb_map: a table with one slot per unit of (gcd-reduced) weight,
 *  filled with the weighted interleaving of recalc_server_map, then walked in
 *  order (static-rr) or indexed by hash % total weight (map-based hashing).
 *  Weights are divided by their gcd at build time; the runtime only allows
 *  0 or the initial weight on such backends (`set weight` rule), but any
 *  weight is applied if given. */

class MapEntry extends FarmEntry {
  /** running score of the interleaving (HAProxy wscore) */
  wscore = 0
}

export class ServerMap {
  private readonly farm: Farm<MapEntry>
  private table: (MapEntry | null)[] = []
  private rrIdx = 0

  constructor (servers: readonly LbServer[], allBackups: boolean) {
    this.farm = new Farm(servers.map((s, i) => new MapEntry(s, i)), 1, weightGcd(servers), allBackups)
    for (const e of this.farm.entries) this.farm.commit(e)
    this.farm.recount()
    this.recalc()
  }

  /** Applies the live state of <s> and rebuilds the table when it changed. */
  sync (s: LbServer): void {
    const e = this.farm.entryOf(s)
    if (!this.farm.statusChanged(e)) return
    this.farm.commit(e)
    this.farm.recount()
    this.recalc()
  }

  /** Next usable slot in table order, skipping full servers and <avoid>
   *  unless nothing else is left (map_get_server_rr). */
  nextInTurn (avoid: LbServer | null): LbServer | null {
    const tot = this.farm.totWeight
    if (tot === 0) return null
    if (this.rrIdx < 0 || this.rrIdx >= tot) this.rrIdx = 0
    let idx = this.rrIdx
    let avoided: MapEntry | null = null
    let avoidedIdx = 0
    do {
      const e = this.table[idx++]!
      if (hasRoom(e.srv)) {
        avoided = e
        avoidedIdx = idx
        if (e.srv !== avoid) {
          this.rrIdx = idx
          return e.srv
        }
      }
      if (idx === tot) idx = 0
    } while (idx !== this.rrIdx)
    if (avoided !== null) this.rrIdx = avoidedIdx
    return avoided === null ? null : avoided.srv
  }

  /** Server owning slot <hash> % total weight (map_get_server_hash); fullness
   *  and <avoid> are not considered, as in HAProxy. */
  byHash (hash: number): LbServer | null {
    const tot = this.farm.totWeight
    return tot === 0 ? null : this.table[hash % tot]!.srv
  }

  /** recalc_server_map: each slot goes to the server whose accumulated score
   *  crosses the total first; ties favour declaration order, so the first
   *  declared server always owns slot 0. */
  private recalc (): void {
    const farm = this.farm
    const tot = farm.totWeight
    if (farm.totUsed === 0) return
    const backups = farm.srvAct === 0
    if (this.table.length < tot) this.table.length = tot
    for (const e of farm.entries) e.wscore = 0
    for (let o = 0; o < tot; o++) {
      let best: MapEntry | null = null
      let max = 0
      for (const e of farm.entries) {
        if (e.srv.backup !== backups || !farm.currentlyUsable(e)) continue
        if (tot === 1) { best = e; break }
        e.wscore += e.eweight
        const v = Math.trunc((e.wscore + tot) / tot)
        if (best === null || v > max) { max = v; best = e }
      }
      this.table[o] = best
      if (best !== null) best.wscore -= tot
    }
  }
}

/** Greatest common divisor of the non-zero weights (1 when all are zero). */
function weightGcd (servers: readonly LbServer[]): number {
  let g = 0
  for (const s of servers) {
    let w = s.weight
    while (w !== 0) { const t = g % w; g = w; w = t }
  }
  return g === 0 ? 1 : g
}
