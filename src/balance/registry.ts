import type { BalancePlan, HashTypePlan } from '../config/plan.ts'
import type { AlgoName, Balancer, BalanceOpts, BalancerFactory, LbServer } from './types.ts'
import { roundRobin } from './roundrobin.ts'
import { staticRr } from './static-rr.ts'
import { leastconn } from './leastconn.ts'
import { first } from './first.ts'
import { random } from './random.ts'
import { MapHashBalancer } from './map-hash.ts'
import { ConsistentHashBalancer } from './chash.ts'

/** Hashing algorithms pick their structure from `hash-type`: HAProxy's static
 *  map (map-based, the default) or its consistent-hash ring. */
function hashing (algo: AlgoName): BalancerFactory {
  return (servers, opts) => opts.hashMethod === 'consistent'
    ? new ConsistentHashBalancer(algo, servers, opts)
    : new MapHashBalancer(algo, servers, opts)
}

export const balancerFactories: Record<AlgoName, BalancerFactory> = {
  roundrobin: roundRobin,
  'static-rr': staticRr,
  leastconn,
  first,
  random,
  source: hashing('source'),
  uri: hashing('uri'),
  url_param: hashing('url_param'),
  hdr: hashing('hdr'),
  'rdp-cookie': hashing('rdp-cookie')
}

/** Builds the balancer of one backend. <servers> are in declaration order and
 *  carry their initial state; afterwards the runtime reports every change of
 *  usable/weight through serverUp/serverDown/weightChanged before the next
 *  pick. <rand> feeds `balance random` (Math.random by default);
 *  <allbackups> is `option allbackups`. */
export function createBalancer (plan: BalancePlan, hash: HashTypePlan, servers: readonly LbServer[],
  rand: () => number = Math.random, allbackups = false): Balancer {
  const opts: BalanceOpts = { hashMethod: hash.method, draws: plan.draws > 0 ? plan.draws : 2, rand, allbackups }
  return balancerFactories[plan.algo](servers, opts)
}
