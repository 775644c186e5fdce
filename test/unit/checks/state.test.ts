import { test } from 'node:test'
import assert from 'node:assert/strict'
import { applyOutcome, checkInterval, firstCheckDelay, healthText, initialHealth, resumedHealth, spreadJitter, type HealthConfig, type HealthState } from '../../../src/checks/state.ts'
import type { CheckOutcome } from '../../../src/checks/types.ts'

const cfg = (rise: number, fall: number, extra: Partial<HealthConfig> = {}): HealthConfig =>
  ({ rise, fall, inter: 2000, fastinter: 0, downinter: 0, ...extra })

/** Runs <seq> ('+' pass, '-' fail) and returns health/up after each step plus transitions. */
function run (c: HealthConfig, start: HealthState, seq: string): { trace: string; transitions: string[] } {
  let st = start
  const trace: string[] = []
  const transitions: string[] = []
  for (const ch of seq) {
    const outcome: CheckOutcome = ch === '+' ? 'passed' : 'failed'
    const step = applyOutcome(st, c, outcome)
    st = step.state
    trace.push(`${st.health}${st.up ? 'U' : 'D'}`)
    if (step.transition) transitions.push(step.transition)
  }
  return { trace: trace.join(' '), transitions }
}

test('a server starts UP with health = rise and falls at its first failure', () => {
  const c = cfg(2, 3)
  assert.deepEqual(initialHealth(c, false), { health: 2, up: true })
  const r = run(c, initialHealth(c, false), '-')
  assert.equal(r.trace, '0D')
  assert.deepEqual(r.transitions, ['down'])
})

test('once fully UP it takes <fall> consecutive failures to go DOWN', () => {
  const c = cfg(2, 3) // health range 0..4, fully up = 4
  const r = run(c, initialHealth(c, false), '+--+---')
  // + : 3 >= rise -> snaps to 4; - 3; - 2; + 4 again; - 3; - 2; - 1 < rise -> 0
  assert.equal(r.trace, '4U 3U 2U 4U 3U 2U 0D')
  assert.deepEqual(r.transitions, ['down'])
})

test('once DOWN it takes <rise> consecutive successes to go UP; a failure restarts', () => {
  const c = cfg(3, 2)
  const down: HealthState = { health: 0, up: false }
  const r = run(c, down, '++-+++')
  // 1, 2, fail -> 1 < rise -> 0, 1, 2, 3 >= rise -> 4 (UP)
  assert.equal(r.trace, '1D 2D 0D 1D 2D 4U')
  assert.deepEqual(r.transitions, ['up'])
})

test('rise 1 fall 1 flips on every change of result', () => {
  const c = cfg(1, 1)
  const r = run(c, initialHealth(c, false), '+-+-')
  assert.equal(r.trace, '1U 0D 1U 0D')
  assert.deepEqual(r.transitions, ['down', 'up', 'down'])
})

test('failures at 0 and successes at the top are not counted', () => {
  const c = cfg(2, 2)
  assert.equal(applyOutcome({ health: 0, up: false }, c, 'failed').counted, false)
  assert.equal(applyOutcome({ health: 3, up: true }, c, 'passed').counted, false)
  assert.equal(applyOutcome({ health: 3, up: true }, c, 'neutral').counted, false)
  assert.equal(applyOutcome({ health: 3, up: true }, c, 'failed').counted, true)
})

test('conditional pass counts like a pass', () => {
  const c = cfg(2, 2)
  const s = applyOutcome({ health: 1, up: false }, c, 'condpass')
  assert.deepEqual(s.state, { health: 3, up: true })
  assert.equal(s.transition, 'up')
})

test('disabled servers start in maintenance, resume gives health = rise', () => {
  const c = cfg(2, 3)
  assert.deepEqual(initialHealth(c, true), { health: 0, up: false })
  assert.deepEqual(resumedHealth(c), { health: 2, up: true })
})

test('interval: inter when fully up, downinter when down, fastinter in between', () => {
  const c = cfg(2, 3, { inter: 2000, fastinter: 500, downinter: 7000 })
  assert.equal(checkInterval({ health: 4, up: true }, c), 2000)
  assert.equal(checkInterval({ health: 0, up: false }, c), 7000)
  assert.equal(checkInterval({ health: 2, up: true }, c), 500, 'start state is transitional')
  assert.equal(checkInterval({ health: 1, up: false }, c), 500)
  const plain = cfg(2, 3)
  assert.equal(checkInterval({ health: 0, up: false }, plain), 2000, 'unset downinter falls back to inter')
  assert.equal(checkInterval({ health: 2, up: true }, plain), 2000, 'unset fastinter falls back to inter')
})

test('spread-checks jitter stays within +/- percent', () => {
  assert.equal(spreadJitter(1000, 0, () => 0.5), 0)
  assert.equal(spreadJitter(1000, 10, () => 0), 100)
  assert.equal(spreadJitter(1000, 10, () => 0.999999), -99)
  assert.equal(spreadJitter(1000, 10, () => 0.5), 0)
})

test('first checks are spread evenly over the smallest interval', () => {
  const delays = [0, 1, 2, 3].map(i => firstCheckDelay(2000, 2000, i, 4))
  assert.deepEqual(delays, [0, 500, 1000, 1500])
  assert.equal(firstCheckDelay(3000, 1000, 1, 2), 1500, 'own interval wins when larger')
})

test('health text as in log-health-checks', () => {
  const c = cfg(2, 2)
  assert.equal(healthText({ health: 0, up: false }, c), '0/2 DOWN')
  assert.equal(healthText({ health: 1, up: false }, c), '1/2 DOWN')
  assert.equal(healthText({ health: 3, up: true }, c), '2/2 UP')
  assert.equal(healthText({ health: 2, up: true }, c), '1/2 UP')
})
