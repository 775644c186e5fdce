import type { AlgoName, Balancer, BalanceOpts, LbServer } from './types.ts'
import { HashRing } from './ring.ts'

/** Hashing algorithms (source, uri, url_param, hdr, rdp-cookie) with
 *  `hash-type consistent`: the server owning the ring point nearest to <key>
 *  (lb_chash), skipping <avoid>. A missing key (-1) falls back to round robin
 *  over the ring's points, as HAProxy does. */
export class ConsistentHashBalancer implements Balancer {
  readonly algo: AlgoName
  private readonly ring: HashRing

  constructor (algo: AlgoName, servers: readonly LbServer[], opts: BalanceOpts) {
    this.algo = algo
    this.ring = new HashRing(servers, opts.allbackups === true)
  }

  pick (key: number, avoid: LbServer | null): LbServer | null {
    if (key < 0) return this.ring.nextInTurn(avoid)
    const e = this.ring.byHash(key, avoid)
    return e === null ? null : e.srv
  }

  serverUp (s: LbServer): void { this.ring.sync(s) }
  serverDown (s: LbServer): void { this.ring.sync(s) }
  weightChanged (s: LbServer): void { this.ring.sync(s) }
  connTaken (_s: LbServer): void {}
  connDropped (_s: LbServer): void {}
}
