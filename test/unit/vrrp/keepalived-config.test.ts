import { test } from 'node:test'
import assert from 'node:assert/strict'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { spawnSync } from 'node:child_process'
import { loadKeepalivedFiles, loadKeepalivedText } from '../../../src/config/keepalived/compile.ts'
import { exportKeepalived } from '../../../src/config/keepalived/export.ts'
import type { VrrpPlan } from '../../../src/vrrp/types.ts'

const FULL = `! Configuration File for keepalived
global_defs {
   router_id LVS_DEVEL   # comment after a value
   vrrp_version 3
   vrrp_garp_master_delay 1
   vrrp_garp_master_repeat 3
   notification_email { ops@example.com }
}

vrrp_script chk_haproxy {
    script "/usr/bin/killall -0 haproxy"
    interval 2
    weight -20
    fall 2
    rise 2
}

vrrp_instance VI_1 {
    state MASTER
    interface eth0
    virtual_router_id 51
    priority 101
    advert_int 0.1
    nopreempt
    preempt_delay 5
    unicast_src_ip 192.168.1.10
    unicast_peer {
        192.168.1.11
        192.168.1.12
    }
    virtual_ipaddress {
        192.168.1.100/24 dev eth0 label eth0:vip
        192.168.1.101
    }
    track_interface {
        eth1 weight -10
    }
    track_script {
        chk_haproxy
    }
    track_pocketlb {
        listeners
        backend app weight -50
    }
    notify_master "/bin/true arg"
    notify /bin/true
}

vrrp_instance VI_2 {
    interface eth1
    virtual_router_id 52
    vrrp_version 2
    virtual_ipaddress { 10.1.0.1/16 }
    dont_track_primary
    version 2
    advert_int 3
}

vrrp_sync_group G1 {
    group {
        VI_1
        VI_2
    }
}
`
const withoutVrrpVersionLine = FULL.replace('    vrrp_version 2\n', '')

test('compiles a full keepalived configuration', () => {
  const r = loadKeepalivedText(withoutVrrpVersionLine, 'k.conf')
  assert.ok(r.ok, r.ok ? '' : r.alerts.join('\n'))
  const p = r.plan
  assert.equal(p.globals.routerId, 'LVS_DEVEL')
  assert.equal(p.globals.version, 3)
  assert.deepEqual(p.globals.garp, { masterDelay: 1000, masterRepeat: 3, masterRefresh: 0, masterRefreshRepeat: 1 })
  assert.deepEqual(p.scripts.map(s => [s.name, s.script, s.interval, s.weight, s.fall, s.rise]), [['chk_haproxy', '/usr/bin/killall -0 haproxy', 2000, -20, 2, 2]])
  const [a, b] = p.instances
  assert.ok(a && b)
  assert.equal(a.initialState, 'MASTER'); assert.equal(a.vrid, 51); assert.equal(a.priority, 101)
  assert.equal(a.advertInt, 100); assert.equal(a.version, 3); assert.equal(a.preempt, true); assert.equal(a.preemptDelay, 0)
  assert.ok(r.warnings.some(w => /nopreempt will not work with initial state MASTER/.test(w)))   // as keepalived
  assert.equal(a.unicastSrcIp, '192.168.1.10'); assert.deepEqual(a.unicastPeers, ['192.168.1.11', '192.168.1.12'])
  assert.deepEqual(a.vips.map(v => [v.addr, v.prefixLen, v.dev, v.label, v.where.line]),
    [['192.168.1.100', 24, 'eth0', 'eth0:vip', 32], ['192.168.1.101', 32, 'eth0', null, 33]])
  // in a sync group keepalived ignores weights: the tracks become Fault tracks
  assert.deepEqual(a.trackInterfaces, [{ name: 'eth0', weight: null }, { name: 'eth1', weight: 0 }])
  assert.deepEqual(a.trackScripts, [{ name: 'chk_haproxy', weight: 0 }])
  assert.deepEqual(a.trackPocketlb, [{ name: 'listeners', weight: null }, { name: 'backend/app', weight: -50 }])
  assert.equal(a.notify.master, '/bin/true arg'); assert.equal(a.notify.any, '/bin/true')
  assert.equal(b.version, 2); assert.equal(b.advertInt, 3000); assert.equal(b.priority, 100); assert.equal(b.initialState, 'BACKUP')
  assert.deepEqual(b.trackInterfaces, [])
  assert.deepEqual(p.syncGroups.map(g => [g.name, g.members]), [['G1', ['VI_1', 'VI_2']]])
  assert.ok(Object.isFrozen(p))
})

const bad: [string, string, RegExp][] = [
  ['unknown keyword', 'vrrp_instance X {\n interface e\n virtual_router_id 1\n virtual_ipaddress { 1.2.3.4 }\n prioriti 5\n}', /^b\.conf:5: Unknown keyword 'prioriti'$/],
  ['vrid range', 'vrrp_instance X {\n interface e\n virtual_router_id 256\n virtual_ipaddress { 1.2.3.4 }\n}', /^b\.conf:3: virtual_router_id '256' is invalid - must be between 1 and 255$/],
  ['bad vip', 'vrrp_instance X {\n interface e\n virtual_router_id 1\n virtual_ipaddress {\n 1.2.3.400/24\n }\n}', /^b\.conf:5: virtual_ipaddress: '1\.2\.3\.400\/24' is not a valid IPv4 address$/],
  ['missing vip', 'vrrp_instance X {\n interface e\n virtual_router_id 1\n}', /^b\.conf:1: \(X\) No VIP specified/],
  ['track_pocketlb condition', 'vrrp_instance X {\n interface e\n virtual_router_id 1\n virtual_ipaddress { 1.2.3.4 }\n track_pocketlb {\n  servers\n }\n}', /^b\.conf:6: track_pocketlb: unknown condition 'servers', expected 'listeners' or 'backend <name>'$/],
  ['track_pocketlb backend name', 'vrrp_instance X {\n interface e\n virtual_router_id 1\n virtual_ipaddress { 1.2.3.4 }\n track_pocketlb {\n  backend weight 2\n }\n}', /^b\.conf:6: track_pocketlb: backend requires a backend name$/],
  ['missing interface', 'vrrp_instance X {\n virtual_router_id 1\n virtual_ipaddress { 1.2.3.4 }\n}', /^b\.conf:1: \(X\) interface is required$/],
  ['v2 fractional advert', 'vrrp_instance X {\n interface e\n virtual_router_id 1\n advert_int 0.5\n virtual_ipaddress { 1.2.3.4 }\n}', /^b\.conf:4: \(X\) advert_int must be a whole number of seconds/],
  ['unknown script', 'vrrp_instance X {\n interface e\n virtual_router_id 1\n virtual_ipaddress { 1.2.3.4 }\n track_script {\n nope\n }\n}', /^b\.conf:1: \(X\) track_script nope not found$/],
  ['duplicate vrid', 'vrrp_instance X {\n interface e\n virtual_router_id 1\n virtual_ipaddress { 1.2.3.4 }\n}\nvrrp_instance Y {\n interface e\n virtual_router_id 1\n virtual_ipaddress { 1.2.3.5 }\n}', /^b\.conf:6: \(Y\) VRID 1 is already used by X on e$/],
  ['unclosed block', 'vrrp_instance X {\n interface e\n', /^b\.conf:1: missing '}'/],
  ['bad peer', 'vrrp_instance X {\n interface e\n virtual_router_id 1\n virtual_ipaddress { 1.2.3.4 }\n unicast_peer { 10.0.0 }\n}', /^b\.conf:5: unicast_peer: '10\.0\.0' is not a valid IPv4 address$/],
  ['unknown section', 'vrrp_instanse X {\n}', /^b\.conf:1: Unknown keyword 'vrrp_instanse'$/],
  ['sync group member', 'vrrp_sync_group G {\n group {\n Z\n }\n}', /^b\.conf:1: vrrp_sync_group G: instance Z not found$/],
  ['auth PASS', 'vrrp_instance X {\n interface e\n virtual_router_id 1\n virtual_ipaddress { 1.2.3.4 }\n authentication {\n auth_type PASS\n auth_pass x\n }\n}', /^b\.conf:5: authentication type PASS is not supported/]
]
for (const [name, text, re] of bad) {
  test(`alert with file:line: ${name}`, () => {
    const r = loadKeepalivedText(text, 'b.conf')
    assert.equal(r.ok, false)
    assert.ok(!r.ok && r.alerts.some(a => re.test(a)), r.ok ? '' : r.alerts.join('\n'))
  })
}

test('include with a glob, relative to the including file; errors name the included file', () => {
  const dir = mkdtempSync(join(tmpdir(), 'plbv-conf-'))
  try {
    writeFileSync(join(dir, 'main.conf'), 'global_defs {\n router_id R\n}\ninclude conf.d/*.conf\n')
    writeFileSync(join(dir, 'x'), '')
    spawnSync('mkdir', [join(dir, 'conf.d')])
    writeFileSync(join(dir, 'conf.d', 'a.conf'), 'vrrp_instance A {\n interface e\n virtual_router_id 1\n virtual_ipaddress { 1.2.3.4 }\n}\n')
    writeFileSync(join(dir, 'conf.d', 'b.conf'), 'vrrp_instance B {\n interface e\n virtual_router_id 2\n virtual_ipaddress { 1.2.3.5 }\n}\n')
    const r = loadKeepalivedFiles([join(dir, 'main.conf')])
    assert.ok(r.ok, r.ok ? '' : r.alerts.join('\n'))
    assert.deepEqual(r.plan.instances.map(i => i.name), ['A', 'B'])
    assert.equal(r.plan.files.length, 3)
    writeFileSync(join(dir, 'conf.d', 'b.conf'), 'vrrp_instance B {\n interface e\n bogus 1\n}\n')
    const e = loadKeepalivedFiles([join(dir, 'main.conf')])
    assert.ok(!e.ok && e.alerts.includes(`${join(dir, 'conf.d', 'b.conf')}:3: Unknown keyword 'bogus'`), e.ok ? '' : e.alerts.join('\n'))
  } finally { rmSync(dir, { recursive: true, force: true }) }
})

const strip = (p: VrrpPlan): unknown => JSON.parse(JSON.stringify(p, (k, v) => k === 'where' || k === 'files' || k === 'scriptUser' ? undefined : v))   // export names root explicitly

test('export writes a keepalived.conf that compiles back to the same plan and that keepalived -t accepts', () => {
  const r = loadKeepalivedText(withoutVrrpVersionLine.replace(/    track_pocketlb \{[^}]*\}\n/, ''), 'k.conf')
  assert.ok(r.ok)
  const text = exportKeepalived(r.plan)
  const back = loadKeepalivedText(text, 'export.conf')
  assert.ok(back.ok, back.ok ? '' : back.alerts.join('\n') + '\n' + text)
  assert.deepEqual(strip(back.plan), strip(r.plan))
  // keepalived -t checks that interfaces exist: give it eth0/eth1 in a namespace of our own
  const dir = mkdtempSync(join(tmpdir(), 'plbv-exp-'))
  const ns = `plbv-exp-${process.pid}`
  try {
    writeFileSync(join(dir, 'k.conf'), text)
    spawnSync('ip', ['netns', 'add', ns])
    spawnSync('ip', ['-n', ns, 'link', 'add', 'eth0', 'type', 'veth', 'peer', 'name', 'eth1'])   // no dummy module here
    const t = spawnSync('ip', ['netns', 'exec', ns, 'keepalived', '-t', '-f', join(dir, 'k.conf'), '-p', join(dir, 'p'), '-r', join(dir, 'r')], { encoding: 'utf8', timeout: 10_000 })
    assert.equal(t.status, 0, t.stderr + t.stdout + text)
  } finally {
    spawnSync('ip', ['netns', 'del', ns])
    rmSync(dir, { recursive: true, force: true })
  }
})
