import type { LbServer } from './types.ts'
import { Farm, FarmEntry, WEIGHT_SCALE, hasRoom } from './farm.ts'
import { KeyList, detach } from './ordered.ts'
import type { KeyHeap, KeyedItem } from './ordered.ts'

/** What leastconn (lb_fwlc) and first (lb_fas) share: each group's usable
 *  servers sorted by a key, a pick that takes the first one with room that is
 *  not <avoid>, and HAProxy's up/down/weight bookkeeping. The algorithms only
 *  differ by their key. */

export class ListEntry extends FarmEntry implements KeyedItem {
  key = 0
  seq = 0
  slot = -1
  holder: KeyHeap<KeyedItem> | KeyList<KeyedItem> | null = null
  /** group list this server belongs to while usable (HAProxy lb_tree) */
  tree: KeyList<ListEntry> | null = null
}

/** Sort key of <e> for effective weight <eweight>. */
export type ListKey = (e: ListEntry, eweight: number) => number

export class OrderedFarm {
  readonly farm: Farm<ListEntry>
  private readonly act = new KeyList<ListEntry>()
  private readonly bck = new KeyList<ListEntry>()
  private readonly keyOf: ListKey

  constructor (servers: readonly LbServer[], allBackups: boolean, keyOf: ListKey) {
    this.keyOf = keyOf
    this.farm = new Farm(servers.map((s, i) => new ListEntry(s, i)), WEIGHT_SCALE, 1, allBackups)
    for (const e of this.farm.entries) this.farm.commit(e)
    this.farm.recount()
    for (const e of this.farm.entries) if (this.farm.currentlyUsable(e)) this.enqueue(e, e.eweight)
  }

  /** First server in key order with room, other than <avoid> unless it is
   *  the only one; the single first backup when no active is usable. */
  pick (avoid: LbServer | null): LbServer | null {
    const farm = this.farm
    let list: KeyList<ListEntry>
    if (farm.srvAct > 0) list = this.act
    else if (farm.fbck !== null) return farm.fbck.srv
    else if (farm.srvBck > 0) list = this.bck
    else return null
    let avoided: LbServer | null = null
    for (let i = 0; i < list.size; i++) {
      const s = list.at(i)!.srv
      if (!hasRoom(s)) continue
      if (s !== avoid) return s
      avoided = s
    }
    return avoided
  }

  /** Applies the live state of <s> (lb_fwlc/lb_fas update_server_weight). */
  sync (s: LbServer): void {
    const farm = this.farm
    const e = farm.entryOf(s)
    if (!farm.statusChanged(e)) return
    detach(e)
    e.tree = null
    if (farm.willBeUsable(e)) this.enqueue(e, farm.nextEweight(e))
    farm.commit(e)
    farm.recount()
  }

  /** Moves <s> to the place its key now gives it; an unchanged key keeps its
   *  place among equals (fwlc_srv_reposition). */
  reposition (s: LbServer): void {
    const e = this.farm.entryOf(s)
    if (e.tree === null) return
    const key = this.keyOf(e, e.eweight)
    if (e.holder !== null && e.eweight !== 0 && e.key === key) return
    detach(e)
    e.key = key
    e.tree.insert(e)
  }

  private enqueue (e: ListEntry, eweight: number): void {
    e.tree = e.srv.backup ? this.bck : this.act
    e.key = this.keyOf(e, eweight)
    e.tree.insert(e)
  }
}
