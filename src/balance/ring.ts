import type { LbServer } from './types.ts'
import { EWEIGHT_MAX, Farm, FarmEntry, WEIGHT_SCALE, hasRoom } from './farm.ts'
import { fullHash } from '../core/hash.ts'

/** HAProxy's consistent-hash ring (lb_chash), shared by `hash-type consistent`
 *  and `balance random`. A server of effective weight w (= weight * 16) owns w
 *  points at fullHash(id * 4096 + j), j < w, so the same key reaches the same
 *  server as in HAProxy. Actives and backups have separate rings. Rings are
 *  sorted arrays rebuilt on state changes (rare); lookups are binary searches.
 *  Bounded load (hash-balance-factor) is not supported. */

export class RingEntry extends FarmEntry {
  /** point keys computed so far (grown when the weight grows) */
  points = new Uint32Array(0)
  /** points currently on the ring (HAProxy lb_nodes_now) */
  onRing = 0
}

class Ring {
  keys = new Uint32Array(0)
  owners: RingEntry[] = []
}

export class HashRing {
  readonly farm: Farm<RingEntry>
  private readonly act = new Ring()
  private readonly bck = new Ring()
  /** last node visited by the round-robin walk (HAProxy chash.last) */
  private lastRing: Ring | null = null
  private lastIdx = 0

  constructor (servers: readonly LbServer[], allBackups: boolean) {
    this.farm = new Farm(servers.map((s, i) => new RingEntry(s, i)), WEIGHT_SCALE, 1, allBackups)
    for (const e of this.farm.entries) {
      this.farm.commit(e)
      if (this.farm.currentlyUsable(e)) e.onRing = e.eweight
    }
    this.farm.recount()
    this.rebuild(this.act)
    this.rebuild(this.bck)
  }

  /** Applies the live state of <s>: its number of points becomes its new
   *  effective weight, or 0 when it is no longer usable. */
  sync (s: LbServer): void {
    const farm = this.farm
    const e = farm.entryOf(s)
    if (!farm.statusChanged(e)) return
    const want = farm.willBeUsable(e) ? farm.nextEweight(e) : 0
    farm.commit(e)
    farm.recount()
    if (want === e.onRing) return
    e.onRing = want
    this.rebuild(e.srv.backup ? this.bck : this.act)
  }

  /** The ring serving traffic now, or null when the single first backup
   *  (farm.fbck) or nobody serves. */
  private ringInUse (): Ring | null {
    if (this.farm.srvAct > 0) return this.act
    if (this.farm.fbck !== null || this.farm.srvBck === 0) return null
    return this.bck
  }

  /** Server whose point is closest to <hash> (ties go to the point before),
   *  walking forward past <avoid> (chash_get_server_hash). */
  byHash (hash: number, avoid: LbServer | null): RingEntry | null {
    const ring = this.ringInUse()
    if (ring === null) return this.farm.fbck
    const n = ring.keys.length
    if (n === 0) return null
    let next = lowerBound(ring.keys, hash)
    if (next === n) next = 0
    const prev = next === 0 ? n - 1 : next - 1
    const dp = (hash - ring.keys[prev]!) >>> 0
    const dn = (ring.keys[next]! - hash) >>> 0
    let idx = dp <= dn ? prev : next
    let owner = ring.owners[idx]!
    let loops = 0
    while (owner.srv === avoid) {
      if (++idx === n) {
        idx = 0
        if (++loops > 1) break
      }
      owner = ring.owners[idx]!
    }
    return owner
  }

  /** Round robin over the ring's points, skipping full servers and <avoid>
   *  unless nothing else is left (chash_get_next_server: the fallback when a
   *  hashing algorithm finds no key). */
  nextInTurn (avoid: LbServer | null): LbServer | null {
    const root = this.ringInUse()
    if (root === null) return this.farm.fbck === null ? null : this.farm.fbck.srv
    let ring = this.lastRing
    let idx = this.lastIdx
    const stopRing = ring
    let stopIdx = idx
    let started = ring !== null
    let avoidedRing: Ring | null = null
    let avoidedIdx = 0
    // WHY: a walk starting in the other group's ring (after backups handed
    // over to actives) would never meet its stop point again; bound it.
    let steps = (ring === null ? 0 : ring.keys.length) + root.keys.length + 1
    do {
      if (ring !== null && ++idx >= ring.keys.length) ring = null
      if (ring === null) {
        if (root.keys.length === 0) { this.lastRing = null; return null }
        ring = root
        idx = 0
      }
      this.lastRing = ring
      this.lastIdx = idx
      if (!started) { started = true; stopIdx = idx }
      const s = ring.owners[idx]!.srv
      if (hasRoom(s)) {
        if (s !== avoid) return s
        avoidedRing = ring
        avoidedIdx = idx
      }
    } while ((ring !== (stopRing ?? root) || idx !== stopIdx) && --steps > 0)
    this.lastRing = avoidedRing
    this.lastIdx = avoidedIdx
    return avoidedRing === null ? null : avoidedRing.owners[avoidedIdx]!.srv
  }

  /** Re-sorts <ring> from its servers' points and keeps the round-robin
   *  position on the same point, or on the next surviving one when its point
   *  left the ring (chash_skip_node). */
  private rebuild (ring: Ring): void {
    const lastKey = this.lastRing === ring ? ring.keys[this.lastIdx]! : -1
    const pts: { key: number, owner: RingEntry }[] = []
    for (const e of this.farm.entries) {
      if (e.srv.backup !== (ring === this.bck) || e.onRing === 0) continue
      for (let j = 0; j < e.onRing; j++) pts.push({ key: pointKey(e, j), owner: e })
    }
    pts.sort((a, b) => a.key - b.key || a.owner.rank - b.owner.rank)
    ring.keys = Uint32Array.from(pts, p => p.key)
    ring.owners = pts.map(p => p.owner)
    if (lastKey < 0) return
    if (ring.keys.length === 0) { this.lastRing = null; return }
    const i = lowerBound(ring.keys, lastKey)
    this.lastIdx = i < ring.keys.length && ring.keys[i] === lastKey ? i : upperBound(ring.keys, lastKey) % ring.keys.length
  }
}

/** Key of point <j> of <e>: fullHash(id * 4096 + j), cached per server. */
function pointKey (e: RingEntry, j: number): number {
  if (j >= e.points.length) {
    const grown = new Uint32Array(Math.max(j + 1, EWEIGHT_MAX >> 4, e.points.length * 2))
    grown.set(e.points)
    for (let k = e.points.length; k < grown.length; k++) grown[k] = fullHash((e.srv.id * EWEIGHT_MAX + k) >>> 0)
    e.points = grown
  }
  return e.points[j]!
}

function lowerBound (keys: Uint32Array, k: number): number {
  let lo = 0
  let hi = keys.length
  while (lo < hi) { const m = (lo + hi) >> 1; if (keys[m]! < k) lo = m + 1; else hi = m }
  return lo
}

function upperBound (keys: Uint32Array, k: number): number {
  let lo = 0
  let hi = keys.length
  while (lo < hi) { const m = (lo + hi) >> 1; if (keys[m]! <= k) lo = m + 1; else hi = m }
  return lo
}
