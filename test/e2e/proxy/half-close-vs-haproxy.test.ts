import { test, after } from 'node:test'
import assert from 'node:assert/strict'
import { createServer, connect, type Server, type Socket } from 'node:net'
import { startHaproxy, type RunningHaproxy } from '../../helpers/haproxy.ts'
import { startPocketlb } from '../../helpers/pocketlb.ts'
import { startSyslog } from '../../helpers/syslog.ts'
import { freePorts } from '../../helpers/net.ts'
import type { Engine } from '../../../src/proxy/engine.ts'

// Seed 004: the server closes, the proxy forwards the FIN to a client that has
// vanished (never closes). `timeout client-fin` must end that session instead
// of the long `timeout client` (no FIN_WAIT2/CLOSE_WAIT pile-up). Observed the
// way an operator would: the tcplog line's total time and termination state.

const open = new Set<Socket>()
let server: Server
let hap: RunningHaproxy | null = null
let plb: Engine | null = null
const closers: (() => Promise<void>)[] = []

after(async () => {
  await hap?.stop()
  await plb?.stop()
  for (const s of open) s.destroy()
  for (const c of closers) await c()
  await new Promise<void>(r => server?.close(() => r()))
})

/** Connects, reads the greeting and FIN, and never closes its side. */
function vanishedClient (port: number): void {
  const s = connect({ port, host: '127.0.0.1', allowHalfOpen: true })
  open.add(s)
  s.on('data', () => {})
  s.on('error', () => {})
}

async function waitLine (lines: string[], ms: number): Promise<string> {
  const end = Date.now() + ms
  while (Date.now() < end) {
    const l = lines.find(x => x.includes(' l l/s1 '))
    if (l !== undefined) return l
    await new Promise(r => setTimeout(r, 50))
  }
  return ''
}

test('timeout client-fin ends a session whose client vanished, as in HAProxy', async () => {
  server = createServer({ allowHalfOpen: false }, s => { open.add(s); s.on('error', () => {}); s.end('bye\n') })
  await new Promise<void>(r => server.listen(0, '127.0.0.1', () => r()))
  const sport = (server.address() as { port: number }).port
  const [hp, pp, hprobe, pprobe] = await freePorts(4)
  const hlog = await startSyslog(); closers.push(hlog.close)
  const plog = await startSyslog(); closers.push(plog.close)
  // startHaproxy probes the `probe` listen (its probe connection is a session of its own, logged)
  const cfg = (port: number, logPort: number, probePort: number): string => `
defaults
  mode tcp
  log 127.0.0.1:${logPort} local0
  option tcplog
  timeout connect 1s
  timeout client 20s
  timeout server 20s
  timeout client-fin 300ms
listen l
  bind 127.0.0.1:${port}
  server s1 127.0.0.1:${sport}
listen probe
  bind 127.0.0.1:${probePort}
  server s1 127.0.0.1:${sport}
`
  hap = await startHaproxy(cfg(hp, hlog.port, hprobe), hprobe)
  plb = await startPocketlb(cfg(pp, plog.port, pprobe))
  vanishedClient(hp)
  vanishedClient(pp)
  const [h, p] = await Promise.all([waitLine(hlog.lines, 5000), waitLine(plog.lines, 5000)])
  const parse = (line: string): { tt: number; ts: string } => {
    const m = / (-?\d+)\/(-?\d+)\/(\d+) \d+ (\S\S) /.exec(line)
    return m === null ? { tt: -1, ts: '' } : { tt: Number(m[3]), ts: m[4] }
  }
  const hr = parse(h)
  const pr = parse(p)
  process.stdout.write(`# haproxy: Tt=${hr.tt} ms ${hr.ts}; pocketlb: Tt=${pr.tt} ms ${pr.ts}\n`)
  // both end the session long before `timeout client` (20 s): no pile-up. The
  // client's half stays open for client-fin (300 ms), then "cD" (a client-side
  // timeout during data), in HAProxy 2.6 as in pocketlb.
  for (const [line, r] of [[h, hr], [p, pr]] as const) {
    assert.ok(r.tt >= 250 && r.tt < 3000, line)
    assert.equal(r.ts, 'cD', line)
  }
})
