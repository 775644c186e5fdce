import type { Balancer, BalanceOpts, BalancerFactory, LbServer } from './types.ts'
import { ServerMap } from './map.ts'

/** `balance static-rr`: walks HAProxy's static weighted map in order (lb_map).
 *  Weights are fixed at start; a server going down or up rebuilds the map. */
export class StaticRrBalancer implements Balancer {
  readonly algo = 'static-rr' as const
  private readonly map: ServerMap

  constructor (servers: readonly LbServer[], opts: BalanceOpts) {
    this.map = new ServerMap(servers, opts.allbackups === true)
  }

  pick (_key: number, avoid: LbServer | null): LbServer | null { return this.map.nextInTurn(avoid) }
  serverUp (s: LbServer): void { this.map.sync(s) }
  serverDown (s: LbServer): void { this.map.sync(s) }
  weightChanged (s: LbServer): void { this.map.sync(s) }
  connTaken (_s: LbServer): void {}
  connDropped (_s: LbServer): void {}
}

export const staticRr: BalancerFactory = (servers, opts) => new StaticRrBalancer(servers, opts)
