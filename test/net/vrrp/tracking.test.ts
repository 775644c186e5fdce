// Tracking in namespaces (root only): pocketlb's own health through startVrrp's
// handle.track() (worker thread), interface down → Fault, and a vrrp_script.
import { after, before, test } from 'node:test'
import assert from 'node:assert/strict'
import { Lan, until, vrrpConf, sleep } from './topo.ts'

const VIP = '10.77.0.100'
let lan: Lan
before(() => { lan = new Lan(2) })
after(async () => { await lan.destroy() })

const withTracks = (conf: string, lines: string): string => conf.replace('  virtual_ipaddress {', `${lines}  virtual_ipaddress {`)

test('handle.track lowers priority (peer takes over) and restores it; interface down → Fault', async t => {
  const h = lan.start(1, 'handle', withTracks(vrrpConf({ prio: 150, version: 3, advert: '0.1' }), '  track_pocketlb {\n    listeners weight -100\n  }\n'))
  const b = lan.start(2, 'keepalived', vrrpConf({ prio: 100, version: 3, advert: '0.1' }))
  assert.ok(await until(() => h.state === "MASTER" && b.state === "BACKUP", 10_000), `h=${h.state} b=${b.state}\n${h.lines.join("\n")}\n${b.lines.join("\n")}`)
  const t0 = performance.now()
  h.proc.stdin!.write('track listeners fail\n')            // priority 150 - 100 = 50 < keepalived's 100
  assert.ok(await until(() => b.state === 'MASTER' && h.state === 'BACKUP', 3000), `h=${h.state} b=${b.state}`)
  t.diagnostic(`takeover after track(listeners, false): ${(b.masterAt - t0).toFixed(0)} ms`)
  assert.ok(await until(() => lan.hasVip(2, VIP) && !lan.hasVip(1, VIP), 2000))
  h.proc.stdin!.write('track listeners ok\n')
  assert.ok(await until(() => h.state === 'MASTER' && b.state === 'BACKUP', 3000), `h=${h.state} b=${b.state}`)

  // own interface down: Fault (the link is gone, so the peer takes over on its own)
  lan.link(1, false)
  assert.ok(await until(() => h.state === 'FAULT', 2000), h.lines.join('\n'))
  assert.ok(await until(() => b.state === 'MASTER', 2000))
  lan.link(1, true)
  assert.ok(await until(() => h.state === 'MASTER' || h.state === 'BACKUP', 3000), h.lines.join('\n'))
  assert.ok(await until(() => h.state === 'MASTER' && b.state === 'BACKUP', 5000), `h=${h.state} b=${b.state}`)
  await sleep(300)
  assert.ok(lan.hasVip(1, VIP) !== lan.hasVip(2, VIP))
})

test('vrrp_script failure with weight 0 puts pocketlb in Fault', async () => {
  const flag = `${lan.dir}/healthy`
  const conf = vrrpConf({ prio: 150, version: 2, advert: '1' })
    .replace('vrrp_instance', `vrrp_script chk {\n  script "test -f ${flag}"\n  interval 0.2\n  fall 1\n  rise 1\n}\nvrrp_instance`)
  const p = lan.start(1, 'pocketlb', withTracks(conf, '  track_script {\n    chk\n  }\n'))
  const { writeFileSync, rmSync } = await import('node:fs')
  writeFileSync(flag, '')
  assert.ok(await until(() => p.state === 'MASTER', 8000), p.lines.join('\n'))
  rmSync(flag)
  assert.ok(await until(() => p.state === 'FAULT', 3000), p.lines.join('\n'))
  assert.ok(await until(() => !lan.hasVip(1, VIP), 2000))
  writeFileSync(flag, '')
  assert.ok(await until(() => p.state === 'BACKUP' || p.state === 'MASTER', 3000), p.lines.join('\n'))
})
