import { test } from 'node:test'
import assert from 'node:assert/strict'
import { HealthMonitor } from '../../../src/checks/scheduler.ts'
import type { BackendPlan, CheckServerPlan, ServerPlan } from '../../../src/config/plan.ts'
import type { CheckTransition, CheckedServer, Probe, ProbeResult, ProbeTarget } from '../../../src/checks/types.ts'
import { FakeTime } from './fake-time.ts'
import { checkPlan } from './plans.ts'

function server (name: string, check: Partial<CheckServerPlan>, disabled = false): CheckedServer {
  const cfg: CheckServerPlan = { enabled: true, inter: 2000, fastinter: 0, downinter: 0, rise: 2, fall: 3, port: 0, addr: '', agent: null, checkSsl: false, ...check }
  // Only the fields the monitor reads are filled; the rest of ServerPlan is not used here.
  const plan = { name, host: '127.0.0.1', port: 8080, disabled, check: cfg } as unknown as ServerPlan
  return { name, plan }
}

function backend (timeouts: { connect: number; check: number } = { connect: 0, check: 0 }): BackendPlan {
  // Only check and timeouts are read by the monitor.
  return { name: 'bk', check: checkPlan('tcp'), timeouts } as unknown as BackendPlan
}

/** A probe whose answers come from <script>[server port] ('+' L4OK, '-' L4CON), recording times. */
function scripted (time: FakeTime, outcomes: Map<string, string>, calls: { name: string; at: number; target: ProbeTarget }[]): Probe {
  return {
    run (target) {
      const name = target.host
      const seq = outcomes.get(name) ?? ''
      const i = calls.filter(c => c.name === name).length
      calls.push({ name, at: time.now(), target })
      const ok = (seq[Math.min(i, seq.length - 1)] ?? '+') === '+'
      const r: ProbeResult = ok ? { status: 'L4OK', code: 0, info: '', durationMs: 0 } : { status: 'L4CON', code: 0, info: 'Connection refused', durationMs: 0 }
      return Promise.resolve(r)
    }
  }
}

function withHost (s: CheckedServer): CheckedServer {
  // the scripted probe tells servers apart by host: use the name as check addr
  return { name: s.name, plan: { ...s.plan, check: { ...s.plan.check, addr: s.name } } }
}

test('transitions only: DOWN at the first failure, UP after <rise> passes, with the check details', async () => {
  const time = new FakeTime()
  const calls: { name: string; at: number; target: ProbeTarget }[] = []
  const s1 = withHost(server('s1', {}))
  const events: [string, CheckTransition, number][] = []
  const mon = new HealthMonitor({
    backend: backend(), servers: [s1], clock: time, timers: time,
    probers: { tcp: scripted(time, new Map([['s1', '---++++']]), calls) },
    onChange: (s, ev) => events.push([s.name, ev, time.now()])
  })
  mon.start()
  await time.advance(20000)
  mon.stop()
  assert.deepEqual(events.map(([n, ev, at]) => [n, ev.up, ev.checkStatus, ev.reason, at]), [
    ['s1', false, 'L4CON', 'Layer4 connection problem', 0],
    ['s1', true, 'L4OK', 'Layer4 check passed', 8000]
  ])
  assert.equal(events[0]![1].info, 'Connection refused')
  assert.deepEqual(calls.map(c => c.at).slice(0, 6), [0, 2000, 4000, 6000, 8000, 10000])
  const st = mon.status()[0]!
  assert.deepEqual([st.up, st.health, st.lastStatus, st.downTransitions, st.failedChecks, st.lastChange], [true, 4, 'L4OK', 1, 1, 8000])
})

test('fastinter while transitioning, downinter while down, inter when stable', async () => {
  const time = new FakeTime()
  const calls: { name: string; at: number; target: ProbeTarget }[] = []
  const s1 = withHost(server('s1', { inter: 1000, fastinter: 100, downinter: 5000, rise: 2, fall: 2 }))
  const mon = new HealthMonitor({
    backend: backend(), servers: [s1], clock: time, timers: time,
    probers: { tcp: scripted(time, new Map([['s1', '++-----+++']]), calls) },
    onChange: () => {}
  })
  mon.start()
  await time.advance(30000)
  mon.stop()
  // start health=rise=2 (transitional): + -> 3 (stable, inter 1000), + stays, - -> 2 (fastinter 100),
  // - -> 0 DOWN (downinter 5000) ... + -> 1 (fastinter), + -> UP (inter)
  const gaps = calls.slice(1, 10).map((c, i) => c.at - calls[i]!.at)
  assert.deepEqual(gaps, [1000, 1000, 100, 5000, 5000, 5000, 5000, 100, 1000])
})

test('first checks are spread over the interval, timeouts follow "timeout check"', async () => {
  const time = new FakeTime()
  const calls: { name: string; at: number; target: ProbeTarget }[] = []
  const servers = ['a', 'b', 'c', 'd'].map(n => withHost(server(n, { inter: 2000 })))
  const mon = new HealthMonitor({
    backend: backend({ connect: 500, check: 3000 }), servers, clock: time, timers: time,
    probers: { tcp: scripted(time, new Map(), calls) }, onChange: () => {}
  })
  mon.start()
  await time.advance(1999)
  mon.stop()
  assert.deepEqual(calls.map(c => [c.name, c.at]), [['a', 0], ['b', 500], ['c', 1000], ['d', 1500]])
  assert.deepEqual([calls[0]!.target.connectMs, calls[0]!.target.exchangeMs], [500, 3000])
  const plain = new HealthMonitor({ backend: backend(), servers: [servers[0]!], clock: time, timers: time, probers: { tcp: scripted(time, new Map(), calls) }, onChange: () => {} })
  plain.start()
  await time.advance(1)
  plain.stop()
  assert.deepEqual([calls.at(-1)!.target.connectMs, calls.at(-1)!.target.exchangeMs], [2000, null])
})

test('pause stops checks (health 0), resume starts UP at rise; disabled servers start paused; stop cancels all', async () => {
  const time = new FakeTime()
  const calls: { name: string; at: number; target: ProbeTarget }[] = []
  const s1 = withHost(server('s1', {}))
  const s2 = withHost(server('s2', {}, true))
  const events: string[] = []
  const mon = new HealthMonitor({
    backend: backend(), servers: [s1, s2], clock: time, timers: time,
    probers: { tcp: scripted(time, new Map([['s1', '+'], ['s2', '-']]), calls) },
    onChange: (s, ev) => events.push(`${s.name}:${ev.up ? 'UP' : 'DOWN'}`)
  })
  mon.start()
  await time.advance(5000)
  assert.equal(calls.filter(c => c.name === 's2').length, 0, 'disabled server is not checked')
  assert.equal(mon.isUp(s2), false)
  mon.pause(s1)
  const before = calls.length
  await time.advance(10000)
  assert.equal(calls.length, before, 'paused server is not checked')
  assert.equal(mon.status()[0]!.health, 0)
  mon.resume(s2)
  assert.equal(mon.isUp(s2), true)
  await time.advance(1)
  assert.deepEqual(events, [], 'the next check comes at its interval')
  await time.advance(10000)
  assert.deepEqual(events, ['s2:DOWN'], 'resumed at health=rise, the first failure brings it down')
  mon.stop()
  assert.equal(time.pending, 0)
})

test('spread-checks adds jitter to each interval', async () => {
  const time = new FakeTime()
  const calls: { name: string; at: number; target: ProbeTarget }[] = []
  const s1 = withHost(server('s1', { inter: 1000, rise: 1, fall: 1 }))
  const mon = new HealthMonitor({
    backend: backend(), servers: [s1], clock: time, timers: time, spreadChecks: 10, random: () => 0,
    probers: { tcp: scripted(time, new Map(), calls) }, onChange: () => {}
  })
  mon.start()
  await time.advance(3500)
  mon.stop()
  assert.deepEqual(calls.map(c => c.at), [0, 1100, 2200, 3300])
})
