import type { Balancer, BalanceOpts, BalancerFactory, LbServer } from './types.ts'
import { EWEIGHT_MAX, Farm, FarmEntry, WEIGHT_SCALE, hasRoom } from './farm.ts'
import { KeyHeap, detach } from './ordered.ts'
import type { KeyList, KeyedItem } from './ordered.ts'

/** `balance roundrobin`: HAProxy's fast weighted round robin (lb_fwrr).
 *  Each group (actives, backups) has a "current" tree ordered by each server's
 *  next position in the weight window, an "init" tree of servers waiting to be
 *  placed (heaviest first) and a "next" tree for the following window. Weights
 *  3:1 give s1 s1 s1 s2. Weight changes and up/down keep HAProxy's placement. */

const UWEIGHT_RANGE = 256

class RrEntry extends FarmEntry implements KeyedItem {
  key = 0
  seq = 0
  slot = -1
  holder: KeyHeap<KeyedItem> | KeyList<KeyedItem> | null = null
  /** logical tree (HAProxy lb_tree): stays set while the entry is briefly detached */
  tree: KeyHeap<RrEntry> | null = null
  npos = 0
  lpos = 0
  rweight = 0
  /** chain of servers set aside during one pick (HAProxy next_full) */
  nextFull: RrEntry | null = null
}

class RrGroup {
  readonly curr = new KeyHeap<RrEntry>()
  init = new KeyHeap<RrEntry>()
  next = new KeyHeap<RrEntry>()
  currPos = 0
  currWeight = 0
  nextWeight = 0
}

export class RoundRobinBalancer implements Balancer {
  readonly algo = 'roundrobin' as const
  private readonly farm: Farm<RrEntry>
  private readonly act = new RrGroup()
  private readonly bck = new RrGroup()

  constructor (servers: readonly LbServer[], opts: BalanceOpts) {
    this.farm = new Farm(servers.map((s, i) => new RrEntry(s, i)), WEIGHT_SCALE, 1, opts.allbackups === true)
    for (const e of this.farm.entries) this.farm.commit(e)
    this.farm.recount()
    for (const [grp, w] of [[this.act, this.farm.totWact], [this.bck, this.farm.totWbck]] as const) {
      grp.currPos = grp.currWeight = grp.nextWeight = w
    }
    for (const e of this.farm.entries) {
      if (this.farm.currentlyUsable(e)) this.queueByWeight(this.groupOf(e).init, e)
    }
  }

  pick (_key: number, avoid: LbServer | null): LbServer | null {
    const farm = this.farm
    let grp: RrGroup
    if (farm.srvAct > 0) grp = this.act
    else if (farm.fbck !== null) return farm.fbck.srv
    else if (farm.srvBck > 0) grp = this.bck
    else return null

    let switched = false
    let avoided: RrEntry | null = null
    let full: RrEntry | null = null
    let chosen: RrEntry | null = null
    for (;;) {
      if (grp.currWeight === 0) grp.currPos = grp.currWeight = grp.nextWeight
      let e = this.fromGroup(grp)
      while (e === null && !switched) {
        switched = true
        this.switchTrees(grp)
        e = this.fromGroup(grp)
      }
      if (e === null) { chosen = avoided; break }
      this.updatePosition(grp, e)
      detach(e)
      grp.currPos++
      if (hasRoom(e.srv)) {
        if (e.srv !== avoid || avoided !== null) { chosen = e; break }
        avoided = e
      }
      e.nextFull = full
      full = e
    }
    if (chosen !== null) this.queue(chosen)
    // Servers set aside (saturated or avoided) get their place back; after a
    // window switch their place is lost and only their weight matters.
    for (; full !== null; full = full.nextFull) {
      if (full === chosen) continue
      if (switched) this.queueByWeight(grp.init, full)
      else this.queue(full)
    }
    return chosen === null ? null : chosen.srv
  }

  serverUp (s: LbServer): void { this.sync(this.farm.entryOf(s)) }
  serverDown (s: LbServer): void { this.sync(this.farm.entryOf(s)) }
  weightChanged (s: LbServer): void { this.sync(this.farm.entryOf(s)) }
  connTaken (_s: LbServer): void {}
  connDropped (_s: LbServer): void {}

  /** Applies the live state of <e> (fwrr_update_server_weight). */
  private sync (e: RrEntry): void {
    const farm = this.farm
    if (!farm.statusChanged(e)) return
    const wasUsable = farm.currentlyUsable(e)
    const willBe = farm.willBeUsable(e)
    if (!wasUsable && willBe) this.setUp(e)
    else if (wasUsable && !willBe) this.setDown(e)
    else if (wasUsable && willBe) this.reweight(e)
    farm.commit(e)
    farm.recount()
  }

  private setDown (e: RrEntry): void {
    this.groupOf(e).nextWeight -= e.eweight
    detach(e)
    e.tree = null
  }

  private setUp (e: RrEntry): void {
    const grp = this.groupOf(e)
    const ew = this.farm.nextEweight(e)
    grp.nextWeight += ew
    this.placeReturning(grp, e, ew)
  }

  /** A server (re)entering the rotation starts one step of its weight ahead. */
  private placeReturning (grp: RrGroup, e: RrEntry, ew: number): void {
    this.prepare(grp, e)
    e.npos = grp.currPos + Math.trunc((grp.nextWeight + grp.currWeight - grp.currPos) / ew)
    this.queue(e)
  }

  private reweight (e: RrEntry): void {
    const grp = this.groupOf(e)
    const ew = this.farm.nextEweight(e)
    grp.nextWeight += ew - e.eweight
    if (e.tree === grp.init) {
      detach(e)
      this.queueByWeight(grp.init, e)
      return
    }
    if (e.tree === null) {
      this.placeReturning(grp, e, ew)
      return
    }
    this.prepare(grp, e)
    // Still in the current window: move its next position by the new step,
    // never later than planned, and never into the past.
    const prevNext = e.npos
    const step = Math.trunc(grp.nextWeight / ew)
    e.npos = e.lpos + step
    e.rweight = 0
    if (e.npos > prevNext) e.npos = prevNext
    if (e.npos < grp.currPos + 2) e.npos = grp.currPos + step
    detach(e)
    this.queue(e)
  }

  private groupOf (e: RrEntry): RrGroup { return e.srv.backup ? this.bck : this.act }

  /** Heaviest first: the key is the inverted weight (fwrr_queue_by_weight). */
  private queueByWeight (tree: KeyHeap<RrEntry>, e: RrEntry): void {
    e.key = EWEIGHT_MAX - this.farm.nextEweight(e)
    tree.insert(e)
    e.tree = tree
  }

  /** Places <e> by its next position, or in the next window when it does not
   *  fit in this one (fwrr_queue_srv). */
  private queue (e: RrEntry): void {
    const grp = this.groupOf(e)
    const ew = this.farm.nextEweight(e)
    if (!this.farm.willBeUsable(e)) {
      e.tree = null
    } else if (e.npos >= 2 * grp.currWeight || e.npos >= grp.currWeight + grp.nextWeight) {
      e.npos -= grp.currWeight
      this.queueByWeight(grp.next, e)
    } else {
      e.key = (UWEIGHT_RANGE * e.npos + Math.floor((EWEIGHT_MAX + e.rweight - ew) / WEIGHT_SCALE)) >>> 0
      grp.curr.insert(e)
      e.tree = grp.curr
    }
  }

  /** Position bookkeeping when taking <e> out of its tree (fwrr_get_srv). */
  private prepare (grp: RrGroup, e: RrEntry): void {
    if (e.tree === grp.init) { e.npos = 0; e.rweight = 0 } else if (e.tree === grp.next) e.npos += grp.currWeight
    else if (e.tree === null) e.npos = grp.currPos
  }

  private switchTrees (grp: RrGroup): void {
    const t = grp.init
    grp.init = grp.next
    grp.next = t
    grp.currWeight = grp.nextWeight
    grp.currPos = grp.currWeight
  }

  /** Head of the current tree when its turn has come, else the heaviest
   *  server waiting in "init", else whatever heads the current tree. */
  private fromGroup (grp: RrGroup): RrEntry | null {
    const s1 = grp.curr.first()
    if (s1 !== null && s1.eweight !== 0 && s1.npos <= grp.currPos) return s1
    const s2 = grp.init.first()
    if (s2 !== null && s2.eweight !== 0) {
      s2.npos = 0
      s2.rweight = 0
      return s2
    }
    return s1
  }

  private updatePosition (grp: RrGroup, e: RrEntry): void {
    const ew = e.eweight
    if (ew === 0) return
    if (e.npos === 0) e.npos = grp.currPos
    e.lpos = e.npos
    e.npos += Math.trunc(grp.nextWeight / ew)
    e.rweight += grp.nextWeight % ew
    if (e.rweight >= ew) { e.rweight -= ew; e.npos++ }
  }
}

export const roundRobin: BalancerFactory = (servers, opts) => new RoundRobinBalancer(servers, opts)
