import { test } from 'node:test'
import assert from 'node:assert/strict'
import { spawn } from 'node:child_process'
import { createServer, type Server, type Socket } from 'node:net'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { systemClock, type TimerSource } from '../../../src/core/clock.ts'
import { HealthMonitor } from '../../../src/checks/scheduler.ts'
import { defaultProbers } from '../../../src/checks/probers.ts'
import { serverDownMessage } from '../../../src/checks/messages.ts'
import type { BackendPlan, ServerPlan } from '../../../src/config/plan.ts'
import type { CheckedServer } from '../../../src/checks/types.ts'
import { freePorts } from '../../helpers/net.ts'
import { sleep } from '../../helpers/wait.ts'

// Differential: haproxy 2.6 and HealthMonitor check the same server, which is
// stopped then started again; both must report DOWN then UP at about the same times.

const realTimers: TimerSource = {
  after (ms, fn) { const t = setTimeout(fn, ms); return { refresh: () => { t.refresh() }, cancel: () => { clearTimeout(t) } } }
}
const INTER = 200

async function listen (port: number, sockets: Set<Socket>): Promise<Server> {
  const s = createServer(c => { sockets.add(c); c.on('close', () => sockets.delete(c)); c.on('error', () => {}) })
  await new Promise<void>((resolve, reject) => { s.once('error', reject); s.listen(port, '127.0.0.1', resolve) })
  return s
}

test('UP/DOWN transitions match haproxy 2.6 for a server that stops and comes back', async (t) => {
  const [port, idlePort] = await freePorts(2)
  const sockets = new Set<Socket>()
  let server: Server | null = await listen(port, sockets)
  const dir = mkdtempSync(join(tmpdir(), 'plb-checks-'))
  const cfg = join(dir, 'h.cfg')
  writeFileSync(cfg, [
    'global', '  log stderr format raw local0',
    'defaults', '  mode tcp', '  log global', '  timeout connect 1s', '  timeout client 1s', '  timeout server 1s',
    // haproxy refuses to run without a listener: an idle one on a port next to the server's
    'listen fe', `  bind 127.0.0.1:${idlePort}`, '  server x 127.0.0.1:9 disabled',
    'backend bk', `  server s1 127.0.0.1:${port} check inter ${INTER} rise 2 fall 2`, ''
  ].join('\n'))
  const t0 = Date.now()
  const hap = spawn('haproxy', ['-f', cfg, '-db'], { stdio: ['ignore', 'ignore', 'pipe'] })
  const hapEvents: [string, number][] = []
  const hapLines: string[] = []
  hap.stderr.setEncoding('utf8')
  hap.stderr.on('data', (chunk: string) => {
    for (const line of chunk.split('\n')) {
      const m = /^\[WARNING\].*: (Server bk\/s1 is (UP|DOWN).*)$/.exec(line)
      if (m) { hapEvents.push([m[2]!, Date.now() - t0]); hapLines.push(m[1]!) }
    }
  })
  const s1: CheckedServer = {
    name: 's1',
    // Only the fields the monitor reads are filled.
    plan: { name: 's1', host: '127.0.0.1', port, disabled: false, check: { enabled: true, inter: INTER, fastinter: 0, downinter: 0, rise: 2, fall: 2, port: 0, addr: '', agent: null, checkSsl: false } } as unknown as ServerPlan
  }
  const backend = { name: 'bk', timeouts: { connect: 1000, check: 0 }, check: { kind: 'tcp', httpMethod: '', httpUri: '', httpVersion: '', httpExtra: '', steps: [], logHealthChecks: false } } as unknown as BackendPlan
  const ours: [string, number][] = []
  const ourLines: string[] = []
  const mon = new HealthMonitor({
    backend, servers: [s1], clock: systemClock, timers: realTimers, probers: defaultProbers,
    onChange: (_s, ev) => {
      ours.push([ev.up ? 'UP' : 'DOWN', Date.now() - t0])
      if (!ev.up) ourLines.push(serverDownMessage('bk', 's1', false, { status: ev.checkStatus, code: ev.code, info: ev.info, durationMs: ev.durationMs }, { activeLeft: 0, backupLeft: 0, sessionsActive: 0, requeued: 0, remainingInQueue: 0 }))
    }
  })
  try {
    mon.start()
    await sleep(1000)
    for (const c of sockets) c.destroy()
    await new Promise<void>(r => server!.close(() => r()))
    server = null
    await sleep(1500)
    server = await listen(port, sockets)
    await sleep(1500)
  } finally {
    mon.stop()
    hap.kill('SIGKILL')
    await new Promise(r => hap.exitCode !== null ? r(null) : hap.once('exit', r))
    for (const c of sockets) c.destroy()
    if (server) await new Promise<void>(r => server!.close(() => r()))
    rmSync(dir, { recursive: true, force: true })
  }
  t.diagnostic(`haproxy ${JSON.stringify(hapEvents)} ours ${JSON.stringify(ours)}`)
  assert.deepEqual(hapEvents.map(e => e[0]), ['DOWN', 'UP'], `haproxy: ${JSON.stringify(hapEvents)}`)
  assert.deepEqual(ours.map(e => e[0]), ['DOWN', 'UP'], `ours: ${JSON.stringify(ours)}`)
  // same moment within about two check intervals (haproxy starts some ms later than us)
  for (let i = 0; i < 2; i++) {
    const diff = Math.abs(hapEvents[i]![1] - ours[i]![1])
    assert.ok(diff <= 2 * INTER + 150, `${ours[i]![0]}: haproxy at ${hapEvents[i]![1]}ms, ours at ${ours[i]![1]}ms`)
  }
  // and the same words, up to the check duration
  const norm = (s: string): string => s.replace(/check duration: \d+ms/, 'check duration: Nms')
  assert.equal(norm(ourLines[0]!), norm(hapLines[0]!))
})
