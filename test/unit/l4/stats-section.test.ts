import { test } from 'node:test'
import assert from 'node:assert/strict'
import { l4StatsSection } from '../../../src/runtime/stats-l4.ts'
import type { L4RealServerStatus, L4ServiceStatus } from '../../../src/l4/status.ts'

const server = (addr: string, over: Partial<L4RealServerStatus>): L4RealServerStatus => ({
  addr, port: 8080, weight: 2, effectiveWeight: 2, up: true, inhibited: false, flows: 7, packets: 70, bytes: 7000,
  checks: [{ checker: 'HTTP_GET', up: true, lastStatus: 'L7OK', lastInfo: '' }], ...over
})

const SERVICE: L4ServiceStatus = {
  name: 'group WEB', kind: 'NAT', protocol: 'tcp', algo: 'wrr', addresses: [{ addr: '10.0.0.1', port: 80 }, { addr: '10.0.0.2', port: 80 }],
  persistenceTimeout: 50_000, sorryActive: true,
  sorryServer: server('10.0.1.9', { weight: 1, effectiveWeight: 1, checks: [], flows: 1, packets: 4, bytes: 300 }),
  realServers: [
    server('10.0.1.1', { up: false, inhibited: true, effectiveWeight: 0, checks: [{ checker: 'HTTP_GET', up: false, lastStatus: 'L7STS', lastInfo: 'status <503>' }] }),
    server('10.0.1.2', { up: false, effectiveWeight: 0, checks: [{ checker: 'HTTP_GET', up: false, lastStatus: 'L4CON', lastInfo: 'Connection refused' }] })
  ]
}

test('the stats page section: nothing without services; one table per service with each real server, its state, weights, counters and checks', () => {
  assert.equal(l4StatsSection([]), '')
  const html = l4StatsSection([SERVICE])
  assert.match(html, /<h2>Layer 4 in the kernel \(keepalived virtual_server on nftables\)<\/h2>/)
  assert.match(html, /not in the CSV export nor in <code>show stat<\/code>/)
  assert.ok(html.includes('<th colspan="7">group WEB TCP 10.0.0.1:80, 10.0.0.2:80 lb_algo wrr, lb_kind NAT, persistence 50 s</th>'), html)
  assert.match(html, /both directions with lb_kind NAT, client to server only with DR/)
  const rows = [...html.matchAll(/<tr class="(active_up|active_down)">(.*?)<\/tr>/g)].map(m => [m[1], [...m[2]!.matchAll(/<td>(.*?)<\/td>/g)].map(c => c[1])])
  assert.deepEqual(rows, [
    ['active_down', ['10.0.1.1:8080', 'DOWN (inhibited)', '0/2', '7', '70', '7000', 'HTTP_GET L7STS (status &lt;503&gt;)']],
    ['active_down', ['10.0.1.2:8080', 'DOWN', '0/2', '7', '70', '7000', 'HTTP_GET L4CON (Connection refused)']],
    ['active_up', ['sorry_server (active) 10.0.1.9:8080', 'UP', '1/1', '1', '4', '300', '']]
  ])
})

test('a DR service says so in its title', () => {
  const html = l4StatsSection([{ ...SERVICE, kind: 'DR', persistenceTimeout: 0 }])
  assert.ok(html.includes('<th colspan="7">group WEB TCP 10.0.0.1:80, 10.0.0.2:80 lb_algo wrr, lb_kind DR</th>'), html)
})
