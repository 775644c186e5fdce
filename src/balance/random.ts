import type { Balancer, BalanceOpts, BalancerFactory, LbServer } from './types.ts'
import { HashRing } from './ring.ts'
import type { RingEntry } from './ring.ts'
import { hasRoom } from './farm.ts'

/** `balance random(<draws>)`: <draws> random points on the consistent-hash
 *  ring, keeping the least loaded server (cur / weight) seen, as HAProxy's
 *  get_server_rnd. Returns null when the chosen server is full so the
 *  request waits in the backend queue. */
export class RandomBalancer implements Balancer {
  readonly algo = 'random' as const
  private readonly ring: HashRing
  private readonly draws: number
  private readonly rand: () => number

  constructor (servers: readonly LbServer[], opts: BalanceOpts) {
    this.ring = new HashRing(servers, opts.allbackups === true)
    this.draws = opts.draws > 0 ? opts.draws : 2
    this.rand = opts.rand
  }

  pick (_key: number, avoid: LbServer | null): LbServer | null {
    if (this.ring.farm.totWeight === 0) return null
    let best: RingEntry | null = null
    for (let n = this.draws; n > 0; n--) {
      const prev: RingEntry | null = best
      const e = this.ring.byHash(Math.floor(this.rand() * 0x100000000) >>> 0, avoid)
      if (e === null) break
      best = e
      // keep the previous choice when it is less loaded relative to its weight
      if (prev !== null && prev !== e && e.srv.cur * prev.eweight > prev.srv.cur * e.eweight) best = prev
    }
    return best === null || !hasRoom(best.srv) ? null : best.srv
  }

  serverUp (s: LbServer): void { this.ring.sync(s) }
  serverDown (s: LbServer): void { this.ring.sync(s) }
  weightChanged (s: LbServer): void { this.ring.sync(s) }
  connTaken (_s: LbServer): void {}
  connDropped (_s: LbServer): void {}
}

export const random: BalancerFactory = (servers, opts) => new RandomBalancer(servers, opts)
