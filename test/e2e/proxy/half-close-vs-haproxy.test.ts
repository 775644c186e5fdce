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
  const [hp, pp] = await freePorts(2)
  const hlog = await startSyslog(); closers.push(hlog.close)
  const plog = await startSyslog(); closers.push(plog.close)
  const cfg = (port: number, logPort: number): string => `
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
`
  hap = await startHaproxy(cfg(hp, hlog.port), hp)
  plb = await startPocketlb(cfg(pp, plog.port))
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
  // both end the session long before `timeout client` (20 s): no pile-up.
  // HAProxy 2.6 ends it as soon as the server has closed (Tt≈10 ms, "--");
  // pocketlb keeps the client's half open for client-fin (300 ms, "cD"),
  // so a client may still finish sending — listed in the README.
  assert.ok(hr.tt >= 0 && hr.tt < 3000, `haproxy line: ${h}`)
  assert.ok(pr.tt >= 250 && pr.tt < 3000, `pocketlb line: ${p}`)
  assert.equal(pr.ts, 'cD', 'client-fin expiry is a client-side timeout during data')
})
