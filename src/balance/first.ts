import type { Balancer, BalanceOpts, BalancerFactory, LbServer } from './types.ts'
import { OrderedFarm } from './ordered-farm.ts'
import type { ListEntry } from './ordered-farm.ts'

/** `balance first` (lb_fas): the usable server with the lowest id that still
 *  has room (cur < maxconn); servers without maxconn always have room. */
const byId = (e: ListEntry): number => e.srv.id

export class FirstBalancer implements Balancer {
  readonly algo = 'first' as const
  private readonly list: OrderedFarm

  constructor (servers: readonly LbServer[], opts: BalanceOpts) {
    this.list = new OrderedFarm(servers, opts.allbackups === true, byId)
  }

  pick (_key: number, avoid: LbServer | null): LbServer | null { return this.list.pick(avoid) }
  serverUp (s: LbServer): void { this.list.sync(s) }
  serverDown (s: LbServer): void { this.list.sync(s) }
  weightChanged (s: LbServer): void { this.list.sync(s) }
  connTaken (_s: LbServer): void {}
  connDropped (_s: LbServer): void {}
}

export const first: BalancerFactory = (servers, opts) => new FirstBalancer(servers, opts)
