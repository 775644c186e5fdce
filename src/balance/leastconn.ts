import type { Balancer, BalanceOpts, BalancerFactory, LbServer } from './types.ts'
import { EWEIGHT_MAX } from './farm.ts'
import { OrderedFarm } from './ordered-farm.ts'
import type { ListEntry } from './ordered-farm.ts'

/** `balance leastconn` (lb_fwlc): servers sorted by (cur + 1) / weight, idle
 *  servers all at 0. Among equal loads the one repositioned longest ago comes
 *  first, which rotates between idle servers as HAProxy does.
 *  Contract: the runtime updates <s>.cur before calling connTaken/connDropped. */
export function leastconnKey (e: ListEntry, eweight: number): number {
  const inflight = e.srv.cur
  if (inflight === 0) return 0
  return Math.floor((((inflight + 1) * EWEIGHT_MAX) >>> 0) / (eweight === 0 ? 1 : eweight))
}

export class LeastconnBalancer implements Balancer {
  readonly algo = 'leastconn' as const
  private readonly list: OrderedFarm

  constructor (servers: readonly LbServer[], opts: BalanceOpts) {
    this.list = new OrderedFarm(servers, opts.allbackups === true, leastconnKey)
  }

  pick (_key: number, avoid: LbServer | null): LbServer | null { return this.list.pick(avoid) }
  serverUp (s: LbServer): void { this.list.sync(s) }
  serverDown (s: LbServer): void { this.list.sync(s) }
  weightChanged (s: LbServer): void { this.list.sync(s) }
  connTaken (s: LbServer): void { this.list.reposition(s) }
  connDropped (s: LbServer): void { this.list.reposition(s) }
}

export const leastconn: BalancerFactory = (servers, opts) => new LeastconnBalancer(servers, opts)
