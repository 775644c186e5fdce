import { test } from 'node:test'
import assert from 'node:assert/strict'
import { spawn, type ChildProcess } from 'node:child_process'
import { connect } from 'node:net'
import { systemClock, type TimerSource } from '../../../src/core/clock.ts'
import { HealthMonitor } from '../../../src/checks/scheduler.ts'
import { defaultProbers } from '../../../src/checks/probers.ts'
import type { BackendPlan, CheckStep, ServerPlan } from '../../../src/config/plan.ts'
import type { CheckedServer } from '../../../src/checks/types.ts'
import { freePorts } from '../../helpers/net.ts'

// The seed's Redis master detection (tcp-check PING / info replication / QUIT)
// against two real redis-server processes, then a failover.

const realTimers: TimerSource = {
  after (ms, fn) { const t = setTimeout(fn, ms); return { refresh: () => { t.refresh() }, cancel: () => { clearTimeout(t) } } }
}

const INTER = 300
const RISE = 2
const FALL = 2

const text = (s: string): CheckStep => ({ t: 'send', data: Buffer.from(s) })
const want = (s: string): CheckStep => ({ t: 'expect', negate: false, what: 'string', pattern: s, min: false, comment: null })

function startRedis (port: number, extra: string[]): ChildProcess {
  return spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--protected-mode', 'no', ...extra],
    { stdio: 'ignore' })
}

/** Sends one inline command and resolves with the first reply line. */
function redisCommand (port: number, cmd: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const sock = connect(port, '127.0.0.1', () => sock.write(cmd + '\r\n'))
    sock.setTimeout(2000, () => { sock.destroy(); reject(new Error('redis timeout')) })
    sock.on('data', d => { sock.destroy(); resolve(d.toString().split('\r\n')[0]!) })
    sock.on('error', reject)
  })
}

async function waitFor (what: string, cond: () => boolean, ms: number): Promise<number> {
  const start = Date.now()
  while (!cond()) {
    if (Date.now() - start > ms) throw new Error(`timed out waiting for ${what}`)
    await new Promise(r => setTimeout(r, 20))
  }
  return Date.now() - start
}

test('tcp-check marks only the Redis master UP and follows a failover', async () => {
  const [portA, portB] = await freePorts(2)
  const procs = [startRedis(portA, []), startRedis(portB, ['--replicaof', '127.0.0.1', String(portA)])]
  let mon: HealthMonitor<CheckedServer> | null = null
  try {
    for (const p of [portA, portB]) {
      for (let i = 0; ; i++) {
        try { if (await redisCommand(p, 'PING') === '+PONG') break } catch { /* not listening yet */ }
        if (i > 100) throw new Error(`redis on ${p} did not start`)
        await new Promise(r => setTimeout(r, 50))
      }
    }
    const mk = (name: string, port: number): CheckedServer => ({
      name,
      // Only the fields the monitor reads are filled.
      plan: { name, host: '127.0.0.1', port, disabled: false, check: { enabled: true, inter: INTER, fastinter: 0, downinter: 0, rise: RISE, fall: FALL, port: 0, addr: '', agent: null, checkSsl: false } } as unknown as ServerPlan
    })
    const r1 = mk('R1', portA)
    const r2 = mk('R2', portB)
    const backend = {
      name: 'bk_redis',
      timeouts: { connect: 0, check: 0 },
      check: {
        kind: 'tcp-check', httpMethod: '', httpUri: '', httpVersion: '', httpExtra: '', logHealthChecks: false,
        steps: [text('PING\r\n'), want('+PONG'), text('info replication\r\n'), want('role:master'), text('QUIT\r\n'), want('+OK')]
      }
    } as unknown as BackendPlan
    const events: string[] = []
    mon = new HealthMonitor({
      backend, servers: [r1, r2], clock: systemClock, timers: realTimers, probers: defaultProbers,
      onChange: (s, ev) => events.push(`${s.name} ${ev.up ? 'UP' : 'DOWN'} ${ev.checkStatus} ${ev.info}`)
    })
    mon.start()
    const m = mon
    await waitFor('R2 down', () => !m.isUp(r2), 5 * INTER)
    assert.equal(m.isUp(r1), true)
    assert.deepEqual(events, [`R2 DOWN L7TOUT  at step 4 of tcp-check (expect string 'role:master')`])

    // failover: the replica is promoted, the old master follows it
    assert.equal(await redisCommand(portB, 'REPLICAOF NO ONE'), '+OK')
    assert.equal(await redisCommand(portA, `REPLICAOF 127.0.0.1 ${portB}`), '+OK')
    const bound = (RISE + FALL + 2) * INTER * 2
    await waitFor('R1 down and R2 up', () => !m.isUp(r1) && m.isUp(r2), bound)
    assert.deepEqual(events.slice(1).sort(), ['R1 DOWN L7TOUT  at step 4 of tcp-check (expect string \'role:master\')', 'R2 UP L7OK (tcp-check)'])
  } finally {
    mon?.stop()
    for (const p of procs) p.kill('SIGKILL')
    await Promise.all(procs.map(p => p.exitCode !== null ? Promise.resolve() : new Promise(r => p.once('exit', r))))
  }
})
