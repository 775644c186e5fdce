/** roundrobin, static-rr, first and leastconn against HAProxy 2.6: the same
 *  servers, the same sequential requests, the same order of servers. */
import { test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { startBackends, startHaproxy, ask, fakeServers, serverLines } from './harness.ts'
import type { Backends, Haproxy } from './harness.ts'
import { balancerFactories } from '../../../src/balance/registry.ts'
import type { AlgoName } from '../../../src/balance/types.ts'

interface Case { name: string; algo: AlgoName; weights: number[]; extra?: string[]; requests: number }
const cases: Case[] = [
  { name: 'roundrobin 3:1', algo: 'roundrobin', weights: [3, 1], requests: 16 },
  { name: 'roundrobin 10:15:15 (seed 000)', algo: 'roundrobin', weights: [10, 15, 15], requests: 90 },
  { name: 'roundrobin 5:3:2:1', algo: 'roundrobin', weights: [5, 3, 2, 1], requests: 33 },
  { name: 'static-rr 3:1:2', algo: 'static-rr', weights: [3, 1, 2], requests: 18 },
  { name: 'static-rr 4:6', algo: 'static-rr', weights: [4, 6], requests: 15 },
  { name: 'first', algo: 'first', weights: [1, 1, 1], extra: ['maxconn 2', 'maxconn 2', ''], requests: 6 },
  { name: 'leastconn sequential 1:2:1', algo: 'leastconn', weights: [1, 2, 1], requests: 12 }
]

let backends: Backends
let haproxy: Haproxy

before(async () => {
  backends = await startBackends(4)
  haproxy = await startHaproxy(cases.map(c =>
    `  balance ${c.algo}\n${serverLines(backends.ports, c.weights, c.extra)}`))
})
after(async () => {
  await haproxy?.stop()
  await backends?.close()
})

cases.forEach((c, i) => {
  test(`${c.name} matches HAProxy`, async () => {
    const seen: string[] = []
    for (let n = 0; n < c.requests; n++) seen.push(await ask(haproxy.port(i), { path: `/r${n}` }))
    const servers = fakeServers(c.weights)
    c.extra?.forEach((x, k) => { if (x.startsWith('maxconn')) servers[k]!.maxconn = Number(x.split(' ')[1]) })
    const b = balancerFactories[c.algo](servers, { hashMethod: 'map-based', draws: 2, rand: Math.random })
    const ours: string[] = []
    for (let n = 0; n < c.requests; n++) {
      const s = b.pick(-1, null)
      assert.ok(s)
      ours.push(s.name)
      s.cur++; b.connTaken(s)
      s.cur--; b.connDropped(s)
    }
    assert.deepEqual(ours, seen)
  })
})
