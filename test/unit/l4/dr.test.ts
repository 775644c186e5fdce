import { test } from 'node:test'
import assert from 'node:assert/strict'
import { loadKeepalivedText } from '../../../src/config/keepalived/compile.ts'
import { drTopology, type InterfaceAddress } from '../../../src/l4/dr-topology.ts'
import { buildModel, nftTransaction } from '../../../src/l4/nft-ruleset.ts'
import type { VirtualServerPlan } from '../../../src/l4/plan.ts'
import { formatL4Status, type L4ServiceStatus } from '../../../src/l4/status.ts'

const plansOf = (text: string): VirtualServerPlan[] => {
  const r = loadKeepalivedText(text, 'ka.conf')
  assert.ok(r.ok, r.ok ? '' : r.alerts.join('\n'))
  return r.ok ? [...(r.plan.virtualServers ?? [])] : []
}

const DR = `virtual_server 10.0.0.100 80 {
  lb_algo wrr
  lb_kind DR
  persistence_timeout 20
  sorry_server 10.0.0.9 80
  real_server 10.0.0.11 80 {
    weight 3
  }
  real_server 10.0.0.12 80 {
  }
}
`

test('lb_kind DR compiles; a real server or sorry server on another port than the VIP is refused with file:line and why', () => {
  const [vs] = plansOf(DR)
  assert.equal(vs!.kind, 'DR')
  const r = loadKeepalivedText(`virtual_server 10.0.0.100 80 {
  lb_algo rr
  lb_kind DR
  sorry_server 10.0.0.9 8080
  real_server 10.0.0.11 8080 {
  }
  real_server 10.0.0.12 80 {
  }
}
virtual_server_group G {
  10.0.0.100 81
  10.0.0.101 82
}
virtual_server group G {
  lb_kind DR
  real_server 10.0.0.11 81
}
`, 'ka.conf')
  assert.equal(r.ok, false)
  if (r.ok) return
  assert.match(r.alerts[0]!, /^ka\.conf:5: real_server 10\.0\.0\.11 8080: port differs from the virtual server's 80: lb_kind DR forwards the packet unchanged .*cannot rewrite the port; use lb_kind NAT/)
  assert.match(r.alerts[1]!, /^ka\.conf:4: sorry_server 10\.0\.0\.9 8080: port differs/)
  assert.match(r.alerts[2]!, /^ka\.conf:14: lb_kind DR: the group's addresses use several ports \(81, 82\)/)
  assert.equal(r.alerts.length, 3)
})

const LAN: InterfaceAddress[] = [{ dev: 'lo', addr: '127.0.0.1', prefix: 8 }, { dev: 'eth0', addr: '10.0.0.1', prefix: 24 }, { dev: 'eth1', addr: '192.168.5.1', prefix: 24 }]

test('DR topology: the VIP\'s interface is the one holding it or the one whose subnet has it; real servers must be on that link', () => {
  const plans = plansOf(DR)
  // VRRP backup: the VIP is not here, its subnet is on eth0
  assert.deepEqual([...drTopology(plans, LAN).links], [['v_10_0_0_100_80_tcp', 'eth0']])
  // master: the VIP on eth1 (a /32), the real servers are not on eth1's subnet
  const moved = drTopology(plans, [...LAN, { dev: 'eth1', addr: '10.0.0.100', prefix: 32 }])
  assert.equal(moved.links.size, 0)
  assert.match(moved.alerts[0]!, /^ka\.conf:6: real_server 10\.0\.0\.11: lb_kind DR needs it on a directly connected subnet of eth1 \(the interface of VIP 10\.0\.0\.100\): DR only rewrites the destination MAC/)
  assert.match(moved.alerts[2]!, /^ka\.conf:1: sorry_server 10\.0\.0\.9:/)
  const nowhere = drTopology(plans, LAN.filter(a => a.dev !== 'eth0'))
  assert.match(nowhere.alerts[0]!, /^ka\.conf:1: virtual_server 10\.0\.0\.100:80: lb_kind DR needs the VIP on one interface of this node or in one of its directly connected subnets/)
  // NAT services need no link
  assert.deepEqual(drTopology(plansOf(DR.replace('lb_kind DR', 'lb_kind NAT')), []), { links: new Map(), alerts: [] })
})

test('DR ruleset: netdev ingress on the VIP\'s interface, flow sets looked up first, a flow hash for wrr, fwd to the real server\'s MAC', () => {
  const [plan] = plansOf(DR)
  const links = new Map([[plan!.key, 'eth0']])
  const weights = new Map([['10.0.0.11:80', 3], ['10.0.0.12:80', 1]])
  const both = buildModel([{ plan: plan!, weights }], links)
  const text = nftTransaction(null, both)
  const K = 'v_10_0_0_100_80_tcp'
  const F = 'ip saddr . th sport . ip daddr . th dport'
  assert.match(text, /\nadd table netdev pocketlb_dr\n/)
  assert.match(text, /\nadd chain netdev pocketlb_dr ingress_eth0 \{ type filter hook ingress device "eth0" priority filter; policy accept; \}\n/)
  assert.ok(text.includes(`add rule netdev pocketlb_dr ingress_eth0 ip daddr 10.0.0.100 tcp dport 80 fib daddr type local goto ${K}\n`))
  assert.ok(text.includes(`add set netdev pocketlb_dr ${K}__10_0_0_11_80__f { type ipv4_addr . inet_service . ipv4_addr . inet_service; size 65536; flags dynamic,timeout; timeout 900s; }`))
  const service = both.dr!.chains.get(K)!.rules
  assert.deepEqual(service.slice(0, 3), [
    `${F} @${K}__10_0_0_11_80__f update @${K}__10_0_0_11_80__f { ${F} } counter name "${K}__10_0_0_11_80__traffic" fwd ip to 10.0.0.11 device "eth0"`,
    `${F} @${K}__10_0_0_12_80__f update @${K}__10_0_0_12_80__f { ${F} } counter name "${K}__10_0_0_12_80__traffic" fwd ip to 10.0.0.12 device "eth0"`,
    `${F} @${K}__sorry__f update @${K}__sorry__f { ${F} } counter name "${K}__sorry__traffic" fwd ip to 10.0.0.9 device "eth0"`
  ])
  assert.equal(service[3], `ip saddr @${K}__10_0_0_11_80__p20000 goto ${K}__10_0_0_11_80`)
  assert.match(service.at(-1)!, new RegExp(`^jhash ${F.replace(/\./g, '\\.')} mod 4 seed 0x[0-9a-f]+ vmap \\{ 0-2 : goto ${K}__10_0_0_11_80, 3 : goto ${K}__10_0_0_12_80 \\}$`))
  assert.deepEqual(both.dr!.chains.get(`${K}__10_0_0_12_80`)!.rules, [
    `update @${K}__10_0_0_12_80__f { ${F} }`,
    `update @${K}__10_0_0_12_80__p20000 { ip saddr } counter name "${K}__10_0_0_12_80__flows" counter name "${K}__10_0_0_12_80__traffic" fwd ip to 10.0.0.12 device "eth0"`
  ])
  assert.equal(both.nat.chains.get(K), undefined, 'nothing of it in the NAT table')
  // weight 0: no new flow, its established flows stay; down: its flow set goes, its flows move
  const zero = buildModel([{ plan: plan!, weights: new Map([['10.0.0.11:80', 3], ['10.0.0.12:80', 0]]) }], links)
  assert.ok(zero.dr!.sets.has(`${K}__10_0_0_12_80__f`))
  assert.equal(zero.dr!.chains.get(K)!.rules.at(-1), `goto ${K}__10_0_0_11_80`)
  assert.equal(zero.dr!.chains.has(`${K}__10_0_0_12_80`), false)
  const down = buildModel([{ plan: plan!, weights: new Map([['10.0.0.11:80', 3], ['10.0.0.12:80', 0]]), down: new Set(['10.0.0.12:80']) }], links)
  const step = nftTransaction(zero, down)
  assert.doesNotMatch(step, /delete table|add table netdev pocketlb_dr\ndelete/)
  assert.match(step, new RegExp(`flush chain netdev pocketlb_dr ${K}\\n`))
  assert.match(step, new RegExp(`delete set netdev pocketlb_dr ${K}__10_0_0_12_80__f\\n`))
  assert.equal(down.dr!.chains.get(K)!.rules.at(-1), `goto ${K}__10_0_0_11_80`)
  // the DR service gone: its table goes in the same transaction
  assert.match(nftTransaction(down, buildModel([])), /\ndelete table netdev pocketlb_dr\n$/)
})

test('show l4 names the lb_kind and says a DR service counts the client-to-server direction only', () => {
  const service = (kind: 'NAT' | 'DR'): L4ServiceStatus => ({
    name: '10.0.0.100:80', kind, protocol: 'tcp', algo: 'rr', addresses: [{ addr: '10.0.0.100', port: 80 }], persistenceTimeout: 0, sorryServer: null, sorryActive: false, realServers: []
  })
  const text = formatL4Status([service('DR'), service('NAT')]).split('\n')
  assert.equal(text[0], '10.0.0.100:80 TCP 10.0.0.100:80 lb_algo rr lb_kind DR (packets/bytes: client to server only, replies go straight to the client)')
  assert.equal(text[1], '10.0.0.100:80 TCP 10.0.0.100:80 lb_algo rr lb_kind NAT')
})
