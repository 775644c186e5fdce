/** Hashing algorithms against HAProxy 2.6: for each request the key is
 *  extracted with compileKeySource from the stream our proxy would see, fed to
 *  our balancer, and the chosen server must be the one HAProxy chose. Covers
 *  map-based and consistent rings, hash functions, and missing keys (round
 *  robin fallback). */
import { test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { startBackends, startHaproxy, ask, viewOf, fakeServers, serverLines } from './harness.ts'
import type { Backends, Haproxy, Req } from './harness.ts'
import { createBalancer } from '../../../src/balance/registry.ts'
import { compileKeySource } from '../../../src/balance/key.ts'
import type { BalancePlan, HashTypePlan } from '../../../src/config/plan.ts'

const weights = [1, 2, 3]

const plain: BalancePlan = {
  algo: 'uri', uriWhole: false, uriPathOnly: false, uriLen: 0, uriDepth: 0,
  param: '', hdrName: '', hdrDomainOnly: false, draws: 0
}

const paths = Array.from({ length: 24 }, (_, i) => `/p${i}/item${i * 7}.html?q=${i}&session=${(i * 37) % 11}`)
const uriReqs: Req[] = paths.map(path => ({ path }))
const paramReqs: Req[] = [...paths.map(path => ({ path })), { path: '/none' }, { path: '/x?other=1' },
  { path: '/y?session=' }, { path: '/z?xsession=3&session=4' }]
const hostReqs: Req[] = Array.from({ length: 20 }, (_, i) => ({
  path: '/', headers: { host: i % 5 === 4 ? `svc${i}` : `www${i % 3}.site${i}.example.com` }
}))
const hdrReqs: Req[] = [...Array.from({ length: 16 }, (_, i) => ({ path: '/', headers: { 'x-user': ` u${i * 13}, other` } })),
  { path: '/' }, { path: '/', headers: { 'x-user': '' } }]
const srcReqs: Req[] = Array.from({ length: 20 }, (_, i) => ({ path: '/', from: `127.${i % 3}.${i * 11 % 256}.${1 + i * 7}` }))

interface Case { name: string; bal: Partial<BalancePlan>; words: string; hash: HashTypePlan; reqs: Req[] }
const map: HashTypePlan = { method: 'map-based', fn: 'sdbm', avalanche: false }
const cons: HashTypePlan = { method: 'consistent', fn: 'sdbm', avalanche: true }
const hashLine = (h: HashTypePlan, words: string): string => `  hash-type ${h.method}${words}`

const cases: (Case & { hashWords: string })[] = []
for (const [h, hw] of [[map, ''], [cons, '']] as const) {
  cases.push(
    { name: `source ${h.method}`, bal: { algo: 'source' }, words: 'source', hash: h, hashWords: hw, reqs: srcReqs },
    { name: `uri ${h.method}`, bal: { algo: 'uri' }, words: 'uri', hash: h, hashWords: hw, reqs: uriReqs },
    { name: `uri whole ${h.method}`, bal: { algo: 'uri', uriWhole: true }, words: 'uri whole', hash: h, hashWords: hw, reqs: uriReqs },
    { name: `uri depth 1 len 6 ${h.method}`, bal: { algo: 'uri', uriDepth: 1, uriLen: 6 }, words: 'uri depth 1 len 6', hash: h, hashWords: hw, reqs: uriReqs },
    { name: `url_param ${h.method}`, bal: { algo: 'url_param', param: 'session' }, words: 'url_param session', hash: h, hashWords: hw, reqs: paramReqs },
    { name: `hdr(host) use_domain_only ${h.method}`, bal: { algo: 'hdr', hdrName: 'host', hdrDomainOnly: true }, words: 'hdr(host) use_domain_only', hash: h, hashWords: hw, reqs: hostReqs },
    { name: `hdr(x-user) ${h.method}`, bal: { algo: 'hdr', hdrName: 'x-user' }, words: 'hdr(X-User)', hash: h, hashWords: hw, reqs: hdrReqs }
  )
}
for (const fn of ['djb2', 'wt6', 'crc32'] as const) {
  cases.push({ name: `uri map-based ${fn} avalanche`, bal: { algo: 'uri' }, words: 'uri', hash: { method: 'map-based', fn, avalanche: true }, hashWords: ` ${fn} avalanche`, reqs: uriReqs })
  cases.push({ name: `uri consistent ${fn}`, bal: { algo: 'uri' }, words: 'uri', hash: { method: 'consistent', fn, avalanche: false }, hashWords: ` ${fn}`, reqs: uriReqs })
}

let backends: Backends
let haproxy: Haproxy

before(async () => {
  backends = await startBackends(weights.length)
  haproxy = await startHaproxy(cases.map(c =>
    `  balance ${c.words}\n${hashLine(c.hash, c.hashWords)}\n${serverLines(backends.ports, weights)}`))
})
after(async () => {
  await haproxy?.stop()
  await backends?.close()
})

cases.forEach((c, i) => {
  test(`${c.name} matches HAProxy`, async () => {
    const port = haproxy.port(i)
    const seen: string[] = []
    for (const r of c.reqs) seen.push(await ask(port, r))
    const plan: BalancePlan = { ...plain, ...c.bal }
    const key = compileKeySource(plan, c.hash)
    assert.ok(key)
    const b = createBalancer(plan, c.hash, fakeServers(weights))
    const ours = c.reqs.map(r => b.pick(key(viewOf(port, r)), null)?.name)
    assert.deepEqual(ours, seen)
    assert.ok(new Set(seen).size > 1, 'the sequence must exercise more than one server')
  })
})
