/** Server state and weight changes made at runtime (stats socket) in HAProxy
 *  and reported to our balancers: the sequences must stay identical. */
import { test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { startBackends, startHaproxy, ask, viewOf, fakeServers, serverLines } from './harness.ts'
import type { Backends, Haproxy, Req } from './harness.ts'
import { createBalancer } from '../../../src/balance/registry.ts'
import { compileKeySource } from '../../../src/balance/key.ts'
import type { BalancePlan, HashTypePlan } from '../../../src/config/plan.ts'
import type { LbServer } from '../../../src/balance/types.ts'

type Step = { n: number } | { down: number } | { up: number } | { weight: [number, number] }
const steps: Step[] = [
  { n: 9 }, { down: 2 }, { n: 7 }, { up: 2 }, { n: 11 }, { weight: [1, 5] }, { n: 13 },
  { down: 1 }, { n: 5 }, { weight: [3, 1] }, { n: 6 }, { up: 1 }, { n: 14 }, { weight: [2, 0] }, { n: 6 }, { weight: [2, 4] }, { n: 12 }
]
const weights = [2, 3, 1, 1]
const plan = (p: Partial<BalancePlan>): BalancePlan => ({
  algo: 'roundrobin', uriWhole: false, uriPathOnly: false, uriLen: 0, uriDepth: 0,
  param: '', hdrName: '', hdrDomainOnly: false, draws: 0, ...p
})
const map: HashTypePlan = { method: 'map-based', fn: 'sdbm', avalanche: false }
interface Case { name: string; words: string; plan: BalancePlan; hash: HashTypePlan; static?: boolean }
const cases: Case[] = [
  { name: 'roundrobin', words: 'balance roundrobin', plan: plan({}), hash: map },
  { name: 'leastconn', words: 'balance leastconn', plan: plan({ algo: 'leastconn' }), hash: map },
  { name: 'static-rr', words: 'balance static-rr', plan: plan({ algo: 'static-rr' }), hash: map, static: true },
  { name: 'url_param consistent (missing keys rotate)', words: 'balance url_param k\n  hash-type consistent',
    plan: plan({ algo: 'url_param', param: 'k' }), hash: { method: 'consistent', fn: 'sdbm', avalanche: true } },
  { name: 'uri map-based', words: 'balance uri', plan: plan({ algo: 'uri' }), hash: map, static: true }
]

let backends: Backends
let haproxy: Haproxy
before(async () => {
  backends = await startBackends(weights.length)
  haproxy = await startHaproxy(cases.map(c => `  ${c.words}\n${serverLines(backends.ports, weights)}`))
})
after(async () => {
  await haproxy?.stop()
  await backends?.close()
})

cases.forEach((c, i) => {
  test(`${c.name}: downs, ups and weight changes match HAProxy`, async () => {
    const srv = fakeServers(weights)
    const b = createBalancer(c.plan, c.hash, srv)
    const key = compileKeySource(c.plan, c.hash)
    const port = haproxy.port(i)
    let reqNo = 0
    const seen: string[] = []
    const ours: string[] = []
    const at = (k: number): LbServer => srv[k - 1]!
    for (const st of steps) {
      if ('n' in st) {
        for (let k = 0; k < st.n; k++, reqNo++) {
          const r: Req = { path: c.plan.algo === 'uri' ? `/u${reqNo}` : `/r?x=${reqNo}` }
          seen.push(await ask(port, r))
          const s = b.pick(key === null ? -1 : key(viewOf(port, r)), null)
          ours.push(s === null ? '-' : s.name)
          if (s !== null) { s.cur++; b.connTaken(s); s.cur--; b.connDropped(s) }
        }
      } else if ('down' in st) {
        await haproxy.cli(`set server l${i}/s${st.down} state maint`)
        at(st.down).usable = false; b.serverDown(at(st.down))
      } else if ('up' in st) {
        await haproxy.cli(`set server l${i}/s${st.up} state ready`)
        at(st.up).usable = true; b.serverUp(at(st.up))
      } else {
        const [k, w] = st.weight
        // static algorithms only accept 0 or the initial weight
        const applied = c.static === true && w !== 0 ? weights[k - 1]! : w
        const answer = await haproxy.cli(`set weight l${i}/s${k} ${applied}`)
        assert.equal(answer.trim(), '', answer)
        at(k).weight = applied; b.weightChanged(at(k))
      }
    }
    assert.deepEqual(ours, seen)
  })
})
