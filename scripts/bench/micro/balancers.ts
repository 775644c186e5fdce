// Server choice per request, each algorithm over 8 servers.
import { bench } from './measure.ts'
import { createBalancer } from '../../../src/balance/registry.ts'
import type { LbServer } from '../../../src/balance/types.ts'
import type { BalancePlan, HashTypePlan } from '../../../src/config/plan.ts'

const servers = (): LbServer[] => Array.from({ length: 8 }, (_, i) => ({ id: i + 1, name: `s${i + 1}`, backup: false, weight: 1 + (i % 3), usable: true, cur: 0, maxconn: 0 }))
for (const [algo, method] of [['roundrobin', 'map-based'], ['static-rr', 'map-based'], ['leastconn', 'map-based'], ['first', 'map-based'], ['random', 'map-based'], ['source', 'map-based'], ['source', 'consistent']] as const) {
  const plan = { algo, draws: 2 } as unknown as BalancePlan // only algo and draws are read by createBalancer
  const hash = { method } as unknown as HashTypePlan
  const b = createBalancer(plan, hash, servers())
  let key = 0
  bench(`${algo} ${method === 'consistent' ? '(consistent) ' : ''}pick + release`, () => {
    key = (key + 2654435761) >>> 0
    const s = b.pick(key, null)
    if (s !== null) { b.connTaken(s); b.connDropped(s) }
  })
}
