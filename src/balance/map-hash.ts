import type { AlgoName, Balancer, BalanceOpts, LbServer } from './types.ts'
import { ServerMap } from './map.ts'

/** Hashing algorithms (source, uri, url_param, hdr, rdp-cookie) with
 *  `hash-type map-based`: the server is map[<key> % total weight]. A missing
 *  key (-1) falls back to round robin over the same map, as HAProxy does. */
export class MapHashBalancer implements Balancer {
  readonly algo: AlgoName
  private readonly map: ServerMap

  constructor (algo: AlgoName, servers: readonly LbServer[], opts: BalanceOpts) {
    this.algo = algo
    this.map = new ServerMap(servers, opts.allbackups === true)
  }

  pick (key: number, avoid: LbServer | null): LbServer | null {
    return key < 0 ? this.map.nextInTurn(avoid) : this.map.byHash(key)
  }

  serverUp (s: LbServer): void { this.map.sync(s) }
  serverDown (s: LbServer): void { this.map.sync(s) }
  weightChanged (s: LbServer): void { this.map.sync(s) }
  connTaken (_s: LbServer): void {}
  connDropped (_s: LbServer): void {}
}
