// keepalived virtual_server options: alpha, quorum/hysteresis with their scripts,
// omega, real_server notify_up/notify_down (config and the pure state machines;
// the kernel side is in test/net/l4/quorum.test.ts).
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { createServer } from 'node:net'
import { loadKeepalivedText } from '../../../src/config/keepalived/compile.ts'
import { systemClock, systemTimers } from '../../../src/core/clock.ts'
import { L4Health, type RealServerHealth } from '../../../src/l4/health.ts'
import type { VirtualServerPlan } from '../../../src/l4/plan.ts'
import { checksHeld } from '../../../src/l4/ha-suspend.ts'
import { ServiceQuorum } from '../../../src/l4/quorum.ts'
import { freePort } from '../../helpers/net.ts'
import { until } from '../../helpers/wait.ts'

function load (text: string): { services: readonly VirtualServerPlan[]; warnings: string[] } {
  const r = loadKeepalivedText(text, 'ka.conf')
  assert.ok(r.ok, r.ok ? '' : r.alerts.join('\n'))
  return { services: r.plan.virtualServers ?? [], warnings: r.warnings }
}

const OPTIONS = `virtual_server 10.0.0.1 80 {
  lb_algo rr
  alpha
  omega
  quorum 3
  hysteresis 1
  quorum_up "/usr/local/bin/vs-up 80"
  quorum_down /usr/local/bin/vs-down
  real_server 10.0.1.1 8080 {
    weight 2
    notify_up "/bin/echo up 1"
    notify_down /bin/down.sh root
    TCP_CHECK {
    }
    MISC_CHECK {
      misc_path /bin/true
      alpha no
    }
  }
  real_server 10.0.1.2 8080 {
    alpha off
    TCP_CHECK {
    }
  }
}
virtual_server 10.0.0.1 81 {
  lb_algo rr
  real_server 10.0.1.1 8080 {
    TCP_CHECK {
      alpha yes
    }
  }
}
`

test('alpha is inherited virtual_server → real_server → checker; quorum, hysteresis, their scripts, omega and notify scripts compile', () => {
  const { services: [vs80, vs81], warnings } = load(OPTIONS)
  const [rs1, rs2] = vs80!.realServers
  assert.deepEqual(rs1!.checkers.map(c => c.alpha), [true, false])
  assert.deepEqual(rs2!.checkers.map(c => c.alpha), [false])
  assert.deepEqual(vs81!.realServers[0]!.checkers.map(c => c.alpha), [true])
  assert.deepEqual(vs80!.quorum, { quorum: 3, hysteresis: 1, up: '/usr/local/bin/vs-up 80', down: '/usr/local/bin/vs-down' })
  assert.equal(vs80!.omega, true)
  assert.equal(vs81!.omega, false)
  assert.deepEqual(vs81!.quorum, { quorum: 1, hysteresis: 0, up: null, down: null })
  assert.deepEqual([rs1!.notifyUp, rs1!.notifyDown, rs2!.notifyUp, rs2!.notifyDown], ['/bin/echo up 1', '/bin/down.sh', null, null])
  assert.deepEqual(warnings, ["ka.conf:12: notify_down: username/groupname ignored: scripts run as pocketlb's own user"])
})

test('keepalived\'s load-time corrections: a quorum above the total weight is reduced to it, a hysteresis of quorum or more to quorum − 1', () => {
  const text = (q: string): string => `virtual_server 10.0.0.1 80 {\n  lb_algo rr\n${q}  real_server 10.0.1.1 80 {\n    weight 2\n  }\n  real_server 10.0.1.2 80 {\n    weight 3\n  }\n}\n`
  const high = load(text('  quorum 9\n'))
  assert.deepEqual(high.services[0]!.quorum, { quorum: 5, hysteresis: 0, up: null, down: null })
  assert.deepEqual(high.warnings, ['ka.conf:3: quorum 9 for 10.0.0.1:80 exceeds total weight of real servers 5, reducing quorum to 5'])
  const hyst = load(text('  quorum 2\n  hysteresis 2\n'))
  assert.deepEqual(hyst.services[0]!.quorum, { quorum: 2, hysteresis: 1, up: null, down: null })
  assert.deepEqual(hyst.warnings, ['ka.conf:3: virtual server 10.0.0.1:80: hysteresis 2 >= quorum 2; setting hysteresis to 1'])
})

test('what stays ignored is a -c warning that says why; a bad boolean is an alert', () => {
  const { warnings, services } = load('virtual_server 10.0.0.1 80 {\n  lb_algo rr\n  ha_suspend\n  sorry_server_inhibit\n  real_server 10.0.1.1 80 {\n    smtp_alert\n  }\n}\n')
  assert.equal(services[0]!.haSuspend, true)
  assert.equal(warnings.length, 2)
  assert.match(warnings[0]!, /^ka\.conf:4: sorry_server_inhibit ignored: the sorry server is added and removed/)
  assert.match(warnings[1]!, /^ka\.conf:6: smtp_alert ignored: pocketlb sends no mail/)
  const r = loadKeepalivedText('virtual_server 10.0.0.1 80 {\n  lb_algo rr\n  alpha maybe\n}\n', 'ka.conf')
  assert.ok(!r.ok)
  assert.match(r.alerts.join('\n'), /ka\.conf:3: alpha 'maybe' is invalid - expected yes\/no/)
})

test('quorum: lost below quorum − hysteresis (or at 0), gained at quorum + hysteresis, with keepalived\'s lines', () => {
  const q = new ServiceQuorum({ quorum: 4, hysteresis: 1, up: null, down: null }, 5)
  assert.equal(q.up, true)
  const seen = [5, 4, 3, 2, 3, 4, 5, 3, 0].map(w => q.update(w, '[10.0.0.1]:tcp:80')?.line ?? null)
  assert.deepEqual(seen, [
    null, null, null, // 3 is still quorum − hysteresis
    'Lost quorum 4-1=3 > 2 for VS [10.0.0.1]:tcp:80',
    null, null, // 3 and 4 are below quorum + hysteresis
    'Gained quorum 4+1=5 <= 5 for VS [10.0.0.1]:tcp:80',
    null,
    'Lost quorum 4-1=3 > 0 for VS [10.0.0.1]:tcp:80'
  ])
  assert.equal(new ServiceQuorum({ quorum: 2, hysteresis: 0, up: null, down: null }, 1).up, false, 'starts from the live weight against the bare quorum')
  const zero = new ServiceQuorum({ quorum: 1, hysteresis: 0, up: null, down: null }, 1)
  assert.equal(zero.update(0, 'x')?.gained, false, 'the default quorum is lost when no weight is live')
})

test('alpha: the real server starts down and is added by its first successful check; without alpha it starts up; a failing alpha server never flaps', async () => {
  const port = await freePort()
  const listener = createServer(s => s.destroy())
  await new Promise<void>(resolve => listener.listen(port, '127.0.0.1', resolve))
  const dead = await freePort()
  const rs = (p: number, alpha: string): string => `  real_server 127.0.0.1 ${p} {\n    alpha ${alpha}\n    TCP_CHECK {\n      connect_timeout 0.5\n    }\n  }\n`
  const { services } = load(`virtual_server 10.0.0.1 80 {\n  lb_algo rr\n  delay_loop 0.05\n  retry 0\n${rs(port, 'yes')}${rs(dead, 'yes')}}\n` +
    `virtual_server 10.0.0.1 81 {\n  lb_algo rr\n  delay_loop 0.05\n${rs(port, 'no')}}\n`)
  const changes: string[] = []
  const health = new L4Health(services, {
    clock: systemClock, timers: systemTimers, onWeight: () => {},
    onChange: (h: RealServerHealth, ev) => { changes.push(`${h.vs.name} ${h.rs.port} ${ev.up ? 'up' : 'down'}`) }
  })
  try {
    const [alive, failing, plain] = health.servers
    assert.deepEqual([alive!.up, failing!.up, plain!.up], [false, false, true])
    health.start()
    assert.ok(await until(() => alive!.up, 3000), 'added after its first success')
    await new Promise(resolve => setTimeout(resolve, 300))
    assert.deepEqual(changes, [`10.0.0.1:80 ${port} up`], 'one transition: the alpha server up; the failing one was never up, so never removed')
    assert.equal(failing!.up, false)
    // a reload adding an alpha server: it enters the new state down (weight 0)
    const more = load(`virtual_server 10.0.0.1 80 {\n  lb_algo rr\n  delay_loop 0.05\n  retry 0\n${rs(port, 'yes')}${rs(dead, 'yes')}${rs(1, 'yes')}}\n`)
    const change = health.change(more.services)
    assert.deepEqual([...change.state(more.services[0]!).weights], [[`127.0.0.1:${port}`, 1], [`127.0.0.1:${dead}`, 0], ['127.0.0.1:1', 0]])
  } finally {
    health.stop()
    listener.close()
  }
})

test('ha_suspend: checks held while none of the service\'s VIPs is local (the state kept), resumed when one is', async () => {
  const port = await freePort()
  const { services } = load(`virtual_server 10.0.0.1 80 {\n  lb_algo rr\n  ha_suspend\n  delay_loop 0.05\n  real_server 127.0.0.1 ${port} {\n    TCP_CHECK {\n    }\n  }\n}\n` +
    `virtual_server 10.0.0.1 81 {\n  lb_algo rr\n  real_server 127.0.0.1 ${port} {\n  }\n}\n`)
  const [suspending, plain] = services
  assert.equal(checksHeld(suspending!, new Set(['127.0.0.1'])), true)
  assert.equal(checksHeld(suspending!, new Set(['127.0.0.1', '10.0.0.1'])), false)
  assert.equal(checksHeld(plain!, new Set()), false, 'without ha_suspend, never held')
  const health = new L4Health([suspending!], { clock: systemClock, timers: systemTimers, onWeight: () => {}, onChange: () => {} })
  const [h] = health.servers
  try {
    assert.equal(h!.suspend(true), true)
    assert.equal(h!.suspend(true), false, 'no change, nothing to log')
    health.start()
    await new Promise(resolve => setTimeout(resolve, 300))
    assert.equal(h!.views()[0]!.lastStatus, 'INI', 'no check ran while held')
    assert.equal(h!.up, true, 'the state is kept (a server is not taken out for not being checked)')
    assert.equal(h!.suspend(false), true)
    assert.ok(await until(() => h!.views()[0]!.lastStatus !== 'INI', 3000), 'checks run again')
    assert.equal(h!.up, false, 'nobody listens: the resumed check takes it out')
  } finally {
    health.stop()
  }
})
