import type { LbServer } from './types.ts'

/** HAProxy's BE_WEIGHT_SCALE: dynamic algorithms work on weight * 16 so that
 *  slow-start can ramp in steps finer than one user weight unit. */
export const WEIGHT_SCALE = 16
/** SRV_EWGHT_MAX / SRV_EWGHT_RANGE: the largest effective weight (256 * 16). */
export const EWEIGHT_MAX = 256 * WEIGHT_SCALE

/** A balancer's private view of one server: the state it last committed
 *  (HAProxy cur_eweight / cur_state) next to the live LbServer (the "next"
 *  state the runtime has just written). Algorithms extend it with their
 *  tree fields. */
export class FarmEntry {
  /** committed effective weight (HAProxy cur_eweight) */
  eweight = 0
  /** committed eligibility */
  usable = false
  /** position in the declaration order (0-based), HAProxy's srv->next chain */
  readonly rank: number
  readonly srv: LbServer
  constructor (srv: LbServer, rank: number) { this.srv = srv; this.rank = rank }
}

/** Server counts and weights shared by every algorithm (HAProxy lbprm:
 *  srv_act, srv_bck, tot_wact, tot_wbck, fbck, tot_weight, tot_used), kept
 *  from committed states. Effective weight = ceil(weight * <wdiv> / <wmult>). */
export class Farm<E extends FarmEntry> {
  readonly entries: readonly E[]
  private readonly byServer: Map<LbServer, E>
  readonly wdiv: number
  readonly wmult: number
  /** `option allbackups`: every usable backup shares the load, not only the first */
  readonly allBackups: boolean
  srvAct = 0
  srvBck = 0
  totWact = 0
  totWbck = 0
  /** first usable backup when !allBackups (HAProxy lbprm.fbck), else null */
  fbck: E | null = null
  totWeight = 0
  totUsed = 0

  constructor (entries: readonly E[], wdiv: number, wmult: number, allBackups: boolean) {
    this.entries = entries
    this.byServer = new Map(entries.map(e => [e.srv, e]))
    this.wdiv = wdiv
    this.wmult = wmult
    this.allBackups = allBackups
  }

  entryOf (s: LbServer): E {
    const e = this.byServer.get(s)
    if (e === undefined) throw new Error(`server ${s.name} is not part of this balancer`)
    return e
  }

  /** Effective weight the live state asks for (HAProxy next_eweight). */
  nextEweight (e: E): number {
    return Math.floor((e.srv.weight * this.wdiv + this.wmult - 1) / this.wmult)
  }

  willBeUsable (e: E): boolean { return e.srv.usable && this.nextEweight(e) > 0 }
  currentlyUsable (e: E): boolean { return e.usable && e.eweight > 0 }
  statusChanged (e: E): boolean { return e.usable !== e.srv.usable || e.eweight !== this.nextEweight(e) }

  commit (e: E): void {
    e.usable = e.srv.usable
    e.eweight = this.nextEweight(e)
  }

  /** Recomputes the counters from committed states (recount_servers +
   *  update_backend_weight). Called after every commit; never on the hot path. */
  recount (): void {
    this.srvAct = this.srvBck = this.totWact = this.totWbck = 0
    this.fbck = null
    for (const e of this.entries) {
      if (!this.currentlyUsable(e)) continue
      if (e.srv.backup) {
        if (this.srvBck === 0 && !this.allBackups) this.fbck = e
        this.srvBck++
        this.totWbck += e.eweight
      } else {
        this.srvAct++
        this.totWact += e.eweight
      }
    }
    if (this.srvAct > 0) {
      this.totWeight = this.totWact
      this.totUsed = this.srvAct
    } else if (this.fbck !== null) {
      this.totWeight = this.fbck.eweight
      this.totUsed = 1
    } else {
      this.totWeight = this.totWbck
      this.totUsed = this.srvBck
    }
  }
}

/** A server can take one more connection (HAProxy: !maxconn || served < maxconn;
 *  per-server queues are the runtime's business and not seen here). */
export function hasRoom (s: LbServer): boolean {
  return s.maxconn === 0 || s.cur < s.maxconn
}
