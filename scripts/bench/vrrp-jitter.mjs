#!/usr/bin/env node
// VRRP advert jitter with and without load on the proxy (root only, ≤ 30 s).
//   node scripts/bench/vrrp-jitter.mjs [--rate 1000] [--advert 0.1] [--idle 8] [--load 10] [--nice=-10]
// Two namespaces joined by a veth pair: plbj-a-<pid> runs the appliance
// (`pocketlb -f h.cfg --vrrp k.conf`, master alone, VRRPv3 multicast) with a backend
// and a load generator on its loopback; plbj-b-<pid> captures the adverts with a raw
// socket (VRRP's own transport) and timestamps them. The intervals between adverts
// are reported (p50/p99/max, the worst lateness against advert_int, and how many came
// over 1.5 × advert_int late) for the idle phase and while the proxy carries <rate> new
// connections per second. <nice> is the engine's vrrp_priority; the capture runs at
// nice -15 so that its own scheduling delays stay out of the numbers.
// Roles (run by the script itself inside a namespace): `capture <ms>`, `load <port> <backendPort> <rate> <delayMs> <ms>`.
import { spawn, spawnSync } from 'node:child_process'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { createServer } from 'node:http'
import { connect } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { parseArgs } from 'node:util'

const root = new URL('../..', import.meta.url).pathname
const self = new URL(import.meta.url).pathname
const epochNow = () => performance.timeOrigin + performance.now()
const MASTER_IP = '10.79.0.1'
const HARD_LIMIT_MS = 30_000

/** Role `capture <ms>`: prints the arrival times (epoch ms) of adverts from MASTER_IP. */
async function capture (ms) {
  const { openRawTransport } = await import(join(root, 'src/vrrp/transport-raw.ts'))
  const t = openRawTransport({ interface: 'eth0', srcIp: null, peers: [], exclude: [] })
  const arrivals = []
  t.onPacket(ip => { if (ip.subarray(12, 16).join('.') === MASTER_IP) arrivals.push(epochNow()) })
  setTimeout(() => { t.close(); process.stdout.write(JSON.stringify({ arrivals }) + '\n'); process.exit(0) }, ms)
}

/** Role `load`: a backend on <backendPort>, then <rate> conn/s (one request each, Connection: close) to <port>. */
function load (port, backendPort, rate, delayMs, ms) {
  const backend = createServer((_req, res) => res.end('ok'))
  backend.listen(backendPort, '127.0.0.1')
  let ok = 0; let failed = 0; let inFlight = 0
  const perTick = rate / 100
  const req = 'GET / HTTP/1.1\r\nHost: bench\r\nConnection: close\r\n\r\n'
  const one = () => {
    if (inFlight > 2000) { failed++; return }      // the proxy does not keep up: do not pile up
    inFlight++
    let head = ''
    const s = connect(port, '127.0.0.1', () => s.end(req))
    s.setTimeout(3000, () => s.destroy())
    s.on('data', d => { if (head.length < 12) head += d.toString('latin1') })
    s.on('error', () => {})
    s.on('close', () => { inFlight--; if (head.startsWith('HTTP/1.1 200')) ok++; else failed++ })
  }
  setTimeout(() => {
    const start = epochNow(); let carry = 0
    const tick = setInterval(() => { carry += perTick; for (; carry >= 1; carry--) one() }, 10)
    setTimeout(() => {
      clearInterval(tick)
      const end = epochNow()
      setTimeout(() => { process.stdout.write(JSON.stringify({ start, end, ok, failed }) + '\n'); process.exit(0) }, 500)
    }, ms)
  }, delayMs)
}

function sh (args) {
  const r = spawnSync(args[0], args.slice(1), { encoding: 'utf8', timeout: 10_000 })
  if (r.status !== 0) throw new Error(`${args.join(' ')}: ${r.stderr}`)
}

/** Runs <args> in namespace <ns>; resolves with its stdout when it exits. */
function inNs (ns, args, onLine) {
  const p = spawn('ip', ['netns', 'exec', ns, ...args], { stdio: ['ignore', 'pipe', 'pipe'] })
  let out = ''
  const feed = d => { out += d; if (onLine) for (const l of d.toString().split('\n')) if (l) onLine(l) }
  p.stdout.on('data', feed); p.stderr.on('data', feed)
  p.done = new Promise(resolve => p.on('exit', () => resolve(out)))
  return p
}

const pct = (sorted, q) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]

function summary (arrivals, from, to, advertMs) {
  const iv = []
  for (let i = 1; i < arrivals.length; i++) if (arrivals[i - 1] >= from && arrivals[i] <= to) iv.push(arrivals[i] - arrivals[i - 1])
  const s = [...iv].sort((a, b) => a - b)
  if (!s.length) return { samples: 0 }
  const r = x => Math.round(x * 100) / 100
  return { samples: s.length, p50: r(pct(s, 0.5)), p99: r(pct(s, 0.99)), max: r(s[s.length - 1]), min: r(s[0]), worstLate: r(s[s.length - 1] - advertMs), over150pct: s.filter(x => x > 1.5 * advertMs).length }
}

async function orchestrate () {
  const { values: o } = parseArgs({ options: { rate: { type: 'string', default: '1000' }, advert: { type: 'string', default: '0.1' }, idle: { type: 'string', default: '8' }, load: { type: 'string', default: '10' }, nice: { type: 'string', default: '-10' } } })
  const rate = Number(o.rate); const advertMs = Number(o.advert) * 1000
  const idleMs = Number(o.idle) * 1000; const loadMs = Number(o.load) * 1000
  if (idleMs + loadMs > 22_000) throw new Error('--idle + --load must stay within 22 s (the bench is bounded to 30 s)')
  const nsA = `plbj-a-${process.pid}`; const nsB = `plbj-b-${process.pid}`
  const dir = mkdtempSync(join(tmpdir(), 'plbj-'))
  const procs = []
  const cleanup = () => {
    for (const p of procs) if (p.exitCode === null && p.signalCode === null) p.kill('SIGKILL')
    for (const ns of [nsA, nsB]) spawnSync('ip', ['netns', 'del', ns])
    rmSync(dir, { recursive: true, force: true })
  }
  const watchdog = setTimeout(() => { console.error('vrrp-jitter: over 30 s, aborted'); cleanup(); process.exit(1) }, HARD_LIMIT_MS)
  try {
    sh(['ip', 'netns', 'add', nsA]); sh(['ip', 'netns', 'add', nsB])
    sh(['ip', 'link', 'add', `plbja${process.pid}`, 'netns', nsA, 'type', 'veth', 'peer', 'name', `plbjb${process.pid}`, 'netns', nsB])
    sh(['ip', '-n', nsA, 'link', 'set', `plbja${process.pid}`, 'name', 'eth0'])
    sh(['ip', '-n', nsB, 'link', 'set', `plbjb${process.pid}`, 'name', 'eth0'])
    for (const [ns, ip] of [[nsA, MASTER_IP], [nsB, '10.79.0.2']]) {
      sh(['ip', '-n', ns, 'addr', 'add', `${ip}/24`, 'dev', 'eth0'])
      sh(['ip', '-n', ns, 'link', 'set', 'eth0', 'up']); sh(['ip', '-n', ns, 'link', 'set', 'lo', 'up'])
    }
    const port = 28080; const backendPort = 28081
    writeFileSync(join(dir, 'h.cfg'), `global\n  maxconn 4000\ndefaults\n  mode http\n  timeout connect 2s\n  timeout client 5s\n  timeout server 5s\n` +
      `frontend fe\n  bind 127.0.0.1:${port}\n  default_backend app\nbackend app\n  server s1 127.0.0.1:${backendPort}\n`)
    writeFileSync(join(dir, 'k.conf'), `global_defs {\n  vrrp_priority ${Number(o.nice)}\n}\nvrrp_instance VI_1 {\n  state MASTER\n  interface eth0\n  virtual_router_id 79\n  priority 200\n  version 3\n` +
      `  advert_int ${o.advert}\n  virtual_ipaddress {\n    10.79.0.100/24\n  }\n}\n`)
    let master
    const isMaster = new Promise(resolve => { master = resolve })
    const app = inNs(nsA, [process.execPath, '--import', 'tsx', join(root, 'src/main.ts'), '-f', join(dir, 'h.cfg'), '--vrrp', join(dir, 'k.conf')],
      l => { if (/Entering MASTER STATE/.test(l)) master() })
    procs.push(app)
    await Promise.race([isMaster, new Promise((_r, reject) => setTimeout(() => reject(new Error('appliance did not become master in 10 s')), 10_000))])
    const cap = inNs(nsB, ['nice', '-n', '-15', process.execPath, '--import', 'tsx', self, 'capture', String(idleMs + loadMs)])
    procs.push(cap)
    await new Promise(resolve => setTimeout(resolve, 300))        // capture socket open
    const gen = inNs(nsA, [process.execPath, self, 'load', String(port), String(backendPort), String(rate), String(idleMs), String(loadMs)])
    procs.push(gen)
    const [capOut, genOut] = await Promise.all([cap.done, gen.done])
    const { arrivals } = JSON.parse(capOut.trim().split('\n').pop())
    const g = JSON.parse(genOut.trim().split('\n').pop())
    const result = {
      advertMs, rate, nice: Number(o.nice),
      achievedConnPerSec: Math.round(g.ok / ((g.end - g.start) / 1000)), failed: g.failed,
      idle: summary(arrivals, arrivals[0] ?? 0, g.start, advertMs),
      loaded: summary(arrivals, g.start, g.end, advertMs)
    }
    console.log(`advert_int ${advertMs} ms, engine nice ${o.nice}; load ${result.achievedConnPerSec} conn/s achieved (${rate} asked, ${g.failed} failed)`)
    for (const phase of ['idle', 'loaded']) {
      const s = result[phase]
      console.log(`${phase.padEnd(6)} samples ${String(s.samples).padStart(4)}  interval p50 ${s.p50} ms  p99 ${s.p99} ms  max ${s.max} ms  (worst lateness ${s.worstLate} ms, ${s.over150pct} over 1.5 × advert_int)`)
    }
    console.log(JSON.stringify(result))
  } finally {
    clearTimeout(watchdog)
    cleanup()
  }
}

const [role, ...rest] = process.argv.slice(2)
if (role === 'capture') await capture(Number(rest[0]))
else if (role === 'load') load(Number(rest[0]), Number(rest[1]), Number(rest[2]), Number(rest[3]), Number(rest[4]))
else await orchestrate()
