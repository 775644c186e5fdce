import { test } from 'node:test'
import assert from 'node:assert/strict'
import { watchProxy, trackOk, type ProxyProbe } from '../../../src/vrrp/proxy-tracks.ts'
import { loadApplianceVrrp, takeVrrpArgs } from '../../../src/vrrp/appliance.ts'
import { loadConfigSources } from '../../../src/config/load.ts'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { showVrrp, attachVrrpStatus } from '../../../src/runtime/vrrp-commands.ts'
import type { Engine } from '../../../src/proxy/engine.ts'
import type { CliSession } from '../../../src/runtime/cli-context.ts'
import type { MapStore } from '../../../src/rules/maps.ts'
import type { VrrpPlan, VrrpStatus } from '../../../src/vrrp/types.ts'
import { loadKeepalivedText } from '../../../src/config/keepalived/compile.ts'
import { FakeTime } from './fakes.ts'

class FakeProxy implements ProxyProbe {
  up = true
  readonly usable = new Map<string, number>([['app', 2], ['api', 1]])
  listening (): boolean { return this.up }
  usableServers (backend: string): number | null { return this.usable.get(backend) ?? null }
}

function planWith (tracks: string): VrrpPlan {
  const r = loadKeepalivedText(`vrrp_instance A {\n interface eth0\n virtual_router_id 1\n virtual_ipaddress { 10.0.0.1 }\n track_pocketlb {\n${tracks}\n }\n}\n` +
    `vrrp_instance B {\n interface eth0\n virtual_router_id 2\n virtual_ipaddress { 10.0.0.2 }\n track_pocketlb {\n  backend app weight -10\n }\n}\n`)
  assert.ok(r.ok, r.ok ? '' : r.alerts.join('\n'))
  return r.plan
}

test('trackOk: listeners, backend with and without usable servers, unknown backend', () => {
  const p = new FakeProxy()
  assert.equal(trackOk(p, 'listeners'), true)
  assert.equal(trackOk(p, 'backend/app'), true)
  p.usable.set('app', 0)
  assert.equal(trackOk(p, 'backend/app'), false)
  assert.equal(trackOk(p, 'backend/gone'), false)
  p.up = false
  assert.equal(trackOk(p, 'listeners'), false)
})

test('watchProxy: reports every track once at start, then only changes, polled every period', () => {
  const time = new FakeTime(); const p = new FakeProxy()
  const sent: string[] = []
  const w = watchProxy(planWith('  listeners\n  backend api'), p, (n, ok) => sent.push(`${n}=${ok}`), 100, time)
  assert.deepEqual(sent, ['listeners=true', 'backend/api=true', 'backend/app=true'])
  time.advance(1000)
  assert.equal(sent.length, 3)
  p.usable.set('app', 0)
  time.advance(99)
  assert.equal(sent.length, 3, 'not before the next poll')
  time.advance(1)
  assert.deepEqual(sent.slice(3), ['backend/app=false'])
  p.up = false; p.usable.set('app', 1)
  w.check()                                   // at once, e.g. after a reload
  assert.deepEqual(sent.slice(4), ['listeners=false', 'backend/app=true'])
  w.stop()
  p.up = true
  time.advance(1000)
  assert.equal(sent.length, 6, 'no poll after stop')
})

test('takeVrrpArgs: --vrrp files out of the HAProxy options', () => {
  assert.deepEqual(takeVrrpArgs(['-f', 'h.cfg', '--vrrp', 'k.conf', '-db', '--vrrp', 'k2.conf']), { argv: ['-f', 'h.cfg', '-db'], vrrpFiles: ['k.conf', 'k2.conf'] })
  assert.equal(takeVrrpArgs(['-f', 'h.cfg', '--vrrp']), '--vrrp requires a keepalived configuration file')
})

const status = (over: Partial<VrrpStatus>): VrrpStatus => ({
  name: 'VI_1', state: 'MASTER', vrid: 51, interface: 'eth0', vips: ['10.0.0.100/24', '10.0.0.101/32'], version: 3,
  basePriority: 150, effectivePriority: 140, masterIp: '10.0.0.1', masterPriority: 140, lastTransition: Date.UTC(2026, 0, 2, 3, 4, 5),
  counters: { advertsSent: 12, advertsReceived: 3, becameMaster: 1, releasedMaster: 0, transitions: 2, priorityZeroSent: 0, priorityZeroReceived: 1, dropped: { ttl: 2, vrid: 0, checksum: 1 } },
  failing: ['pocketlb:backend/app'], recentTransitions: [], ...over
})

test('show vrrp: one line per instance, json form, and an answer when VRRP is not running', () => {
  const engine = {} as Engine
  const s: CliSession = { engine, maps: {} as MapStore, level: 2, interactive: false, quit: false }
  assert.equal(showVrrp(['show', 'vrrp'], s), 'VRRP is not running (start pocketlb with --vrrp <keepalived.conf>).\n')
  assert.equal(showVrrp(['show', 'vrrp', 'json'], s), '[]\n')
  const list = [status({}), status({ name: 'VI_2', state: 'BACKUP', masterIp: '', lastTransition: 0, failing: [], counters: { ...status({}).counters, dropped: {} } })]
  const detach = attachVrrpStatus(engine, () => list)
  const lines = showVrrp(['show', 'vrrp'], s).split('\n')
  assert.equal(lines[0], '# name state vrid version interface base_prio eff_prio vips master_ip master_prio adverts_sent adverts_rcvd prio0_sent prio0_rcvd transitions last_transition dropped failing_tracks')
  assert.equal(lines[1], 'VI_1 MASTER 51 v3 eth0 150 140 10.0.0.100/24,10.0.0.101/32 10.0.0.1 140 12 3 0 1 2 2026-01-02T03:04:05.000Z ttl=2,checksum=1 pocketlb:backend/app')
  assert.equal(lines[2], 'VI_2 BACKUP 51 v3 eth0 150 140 10.0.0.100/24,10.0.0.101/32 - 140 12 3 0 1 2 - - -')
  assert.deepEqual(JSON.parse(showVrrp(['show', 'vrrp', 'json'], s)), list)
  assert.equal(showVrrp(['show', 'vrrp', 'xml'], s), "'show vrrp' only supports the 'json' option.\n")
  detach()
  assert.equal(showVrrp(['show', 'vrrp', 'json'], s), '[]\n')
})

test('loadApplianceVrrp: track_pocketlb backends must exist in the proxy configuration', () => {
  const proxy = loadConfigSources([{ path: 'h.cfg', text: 'defaults\n  mode http\n  timeout client 1s\n  timeout server 1s\n  timeout connect 1s\nlisten web\n  bind 127.0.0.1:28080\n  server s1 127.0.0.1:1\nbackend app\n  server s1 127.0.0.1:2\n' }])
  assert.ok(proxy.ok, proxy.ok ? '' : proxy.alerts.join('\n'))
  const dir = mkdtempSync(join(tmpdir(), 'plbv-unit-'))
  try {
    const file = join(dir, 'k.conf')
    const conf = (be: string): string => `vrrp_instance A {\n interface eth0\n virtual_router_id 1\n virtual_ipaddress { 10.0.0.1 }\n track_pocketlb {\n  backend ${be}\n  backend web\n }\n}\n`
    writeFileSync(file, conf('app'))
    assert.equal(loadApplianceVrrp([file], proxy.plan).ok, true)
    writeFileSync(file, conf('nope'))
    const r = loadApplianceVrrp([file], proxy.plan)
    assert.deepEqual(r.ok ? [] : r.alerts, [`${file}:1: (A) track_pocketlb: backend 'nope' not found in the proxy configuration`])
  } finally { rmSync(dir, { recursive: true, force: true }) }
})
