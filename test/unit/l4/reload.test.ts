// L4Health.change(): what a reload keeps of the real servers' health (no checks run here).
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { loadKeepalivedText } from '../../../src/config/keepalived/compile.ts'
import { L4Health } from '../../../src/l4/health.ts'
import { buildModel, nftTransaction } from '../../../src/l4/nft-ruleset.ts'
import type { VirtualServerPlan } from '../../../src/l4/plan.ts'
import { FakeTime } from '../vrrp/fakes.ts'

const rs = (addr: string, weight: number, check = 'TCP_CHECK {\n      connect_timeout 1\n    }'): string =>
  `  real_server ${addr} 8080 {\n    weight ${weight}\n    ${check}\n  }\n`
const services = (text: string): readonly VirtualServerPlan[] => {
  const r = loadKeepalivedText(text)
  assert.ok(r.ok, r.ok ? '' : r.alerts.join('\n'))
  return r.plan.virtualServers ?? []
}
const vs = (port: number, servers: string): string => `virtual_server 10.0.0.100 ${port} {\n  lb_algo wrr\n${servers}}\n`

function health (plans: readonly VirtualServerPlan[]): L4Health {
  const time = new FakeTime()
  return new L4Health(plans, { clock: time, timers: time, onChange: () => {}, onWeight: () => {} })
}

test('change: a server kept with the same checkers keeps its health object, takes its new weight; new ones start up; removed ones listed', () => {
  const before = services(vs(80, rs('10.0.1.1', 1) + rs('10.0.1.2', 1) + rs('10.0.1.3', 1)) + vs(81, rs('10.0.1.1', 1)))
  const h = health(before)
  const [s1, s2, s3, s1on81] = h.servers
  const after = services(vs(80, rs('10.0.1.1', 3) + rs('10.0.1.2', 1, 'TCP_CHECK {\n      connect_timeout 2\n    }') + rs('10.0.1.4', 2)) + vs(82, rs('10.0.1.1', 1)))
  const c = h.change(after)
  assert.deepEqual(c.removed.map(x => `${x.vs.name} ${x.rs.addr}`), ['10.0.0.100:80 10.0.1.3', '10.0.0.100:81 10.0.1.1'])
  assert.deepEqual([...c.state(after[0]!).weights], [['10.0.1.1:8080', 3], ['10.0.1.2:8080', 1], ['10.0.1.4:8080', 2]])
  assert.deepEqual([...c.state(after[0]!).down ?? []], [])
  assert.deepEqual(h.servers, [s1, s2, s3, s1on81], 'nothing changes before commit')
  c.commit()
  const now = h.servers
  assert.equal(now.length, 4)
  assert.equal(now[0], s1, 'kept: the same checkers, state and timers')
  assert.equal(now[0]!.weight, 3)
  assert.equal(now[0]!.vs, after[0])
  assert.notEqual(now[1], s2, 'checkers changed: new checks (not listed as removed: the server stays)')
  assert.ok(now.every(x => x.up), 'new servers start up, as keepalived without alpha')
})

test('change to the same configuration is a no-op on the nft model: the transaction deletes nothing, persistence sets kept', () => {
  const text = vs(80, rs('10.0.1.1', 1) + rs('10.0.1.2', 2)).replace('  lb_algo wrr\n', '  lb_algo wrr\n  persistence_timeout 30\n')
  const h = health(services(text))
  const model = buildModel(services(text).map(plan => ({ plan, weights: new Map(plan.realServers.map(r => [`${r.addr}:8080`, r.weight])) })))
  const again = services(text)
  const c = h.change(again)
  assert.deepEqual(c.removed, [])
  const next = buildModel(again.map(plan => c.state(plan)))
  assert.deepEqual(next, model)
  const tx = nftTransaction(model, next)
  assert.doesNotMatch(tx, /delete/)
  assert.equal(tx.match(/add set /g)?.length, 2, 'the persistence set of each real server, added (idempotent), never recreated')
})
