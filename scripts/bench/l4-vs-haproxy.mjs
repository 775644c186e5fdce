#!/usr/bin/env node
// The kernel path (keepalived virtual_server on nftables, run by `pocketlb vrrp`)
// beside HAProxy 2.6 `mode tcp`, in the same namespaces (client, balancer, two
// Node backends on one bridge): new connections per second, 64 KiB echoed per
// connection, and the balancer's CPU at 1000 new connections/s. Bounded to ~3 min.
//   node --import tsx scripts/bench/l4-vs-haproxy.mjs
//
// Both balancers run at once in the balancer namespace (nftables on VIP:80,
// HAProxy on VIP:81, conntrack active for both), so the paced runs interleave
// direct / routed / nftables / HAProxy windows and load from other work on the
// machine falls on all of them alike. 'routed' reaches the backends' second
// addresses (10.89.0.x) through the balancer as a plain router, both ways
// (conntrack, no NAT, no rule matching): the floor of any forwarding there.
//
// CPU at 1000 new conn/s, in % of one core, per window:
//   path = system time of the client and the backends + ksoftirqd threads (the
//          client reports its own). The kernel forwards a packet in the context of
//          whoever sent it (veth → bridge → balancer → bridge → veth in one go), and
//          tick accounting charges that softirq time to that task's system time, so
//          the forwarding shows up here; user time is left out (same work in every
//          window, only noise).
//   nftables = path(nftables) − path(direct) + pocketlb's process tree (checks)
//   routed   = path(routed) − path(direct): what the hop through the balancer costs
//   HAProxy  = HAProxy's process CPU (schedstat), as the issue defines it, and
//              path(HAProxy) − path(direct) + HAProxy's process: its whole cost,
//              receive paths included, for the same accounting as nftables.
//   /proc/stat: machine-wide system+softirq time minus the direct window's (noisy:
//              every other process on the machine is in it).
//   balancer core: then the same windows again with the balancer given a core of
//              its own, as on a real box: RPS steers every packet the balancer's
//              eth0 receives to CPU 0 (forwarding and NAT for nftables; TCP receive
//              for HAProxy), HAProxy and pocketlb are pinned there, the client, the
//              backends and every other interface's packets to CPU 1. CPU 0's busy
//              time (wall minus idle, exact under NO_HZ) minus the direct window's is
//              then all the balancer's work, for both alike.
import { spawn, spawnSync } from 'node:child_process'
import { readFileSync, readdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { cpuNs } from './lib/proc.mjs'
import { CLIENT_EXTRA, L4Lan, VIP, sleep, until } from '../../test/net/l4/topo.ts'

const MAX_SECS = 2
const PACED_SECS = 3
const ROUNDS = 5
const RATE = 1000
const CONCURRENCY = 32
const LOAD = new URL('./lib/l4-load.mjs', import.meta.url).pathname
const SOURCES = ['10.88.0.2', ...CLIENT_EXTRA].join(',')
const BACKENDS = ['10.88.0.11', '10.88.0.12']
const ROUTED = ['10.89.0.11', '10.89.0.12']
const TARGETS = { direct: [BACKENDS.join(','), 8080], routed: [ROUTED.join(','), 8080], nftables: [VIP, 80], haproxy: [VIP, 81] }
const COMPARED = ['direct', 'nftables', 'haproxy']
const BALANCER_CORE = 0
const OTHER_CORE = 1
const CORE_SECS = 4

/** All pids under <root> (itself included). */
function tree (root) {
  const parent = new Map()
  for (const d of readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue
    try { parent.set(Number(d), Number(readFileSync(`/proc/${d}/stat`, 'utf8').split(') ')[1].split(' ')[1])) } catch { /* gone */ }
  }
  const out = [root]
  for (let i = 0; i < out.length; i++) for (const [pid, pp] of parent) if (pp === out[i]) out.push(pid)
  return out
}

const ksoftirqd = () => readdirSync('/proc').filter(d => /^\d+$/.test(d)).filter(d => {
  try { return readFileSync(`/proc/${d}/comm`, 'utf8').startsWith('ksoftirqd/') } catch { return false }
}).map(Number)

/** system time of <pid>'s threads, dead ones included, in ns (USER_HZ ticks) */
const systemNs = pid => Number(readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ')[12]) * 1e7

const sumNs = pids => pids.reduce((a, p) => { try { return a + cpuNs(p) } catch { return a } }, 0)

/** /proc/stat's system+irq+softirq, in ns (USER_HZ ticks) */
const kernelNs = () => { const f = readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/).slice(1).map(Number); return (f[2] + f[5] + f[6]) * 1e7 }

/** CPU <cpu>'s idle+iowait+steal in ns (NO_HZ idle accounting is exact; USER_HZ units) */
const idleNs = cpu => {
  const f = readFileSync('/proc/stat', 'utf8').split('\n').find(l => l.startsWith(`cpu${cpu} `)).trim().split(/\s+/).slice(1).map(Number)
  return (f[3] + f[4] + f[7]) * 1e7
}

/** Client pinned to <cpu> when given (the balancer-core windows), else free. */
function load (lan, mode, target, secs, n, cpu = null) {
  const [hosts, port] = TARGETS[target]
  const pin = cpu === null ? [] : ['taskset', '-c', String(cpu)]
  return new Promise((resolve, reject) => {
    const p = spawn('ip', ['netns', 'exec', lan.ns('cl'), ...pin, process.execPath, LOAD, mode, hosts, String(port), String(secs), String(n), SOURCES], { stdio: ['ignore', 'pipe', 'inherit'] })
    let out = ''
    p.stdout.on('data', b => { out += b })
    p.on('exit', code => code === 0 ? resolve(JSON.parse(out)) : reject(new Error(`load exited ${code}`)))
  })
}

/** One paced window against <target>: what the client held and the CPU spent where. */
async function pacedWindow (lan, target, pids) {
  const snap = () => ({ backends: pids.backends.reduce((a, p) => a + systemNs(p), 0), soft: sumNs(pids.soft), plb: sumNs(tree(pids.plb)), hap: sumNs(tree(pids.hap)), kernel: kernelNs() })
  const a = snap()
  const r = await load(lan, 'paced', target, PACED_SECS, RATE)
  const b = snap()
  const pct = ns => ns / 1e9 / r.secs * 100
  return {
    held: r.done / r.secs, failed: r.failed,
    path: pct(r.sysMs * 1e6 + b.backends - a.backends + b.soft - a.soft),
    plb: pct(b.plb - a.plb), hap: pct(b.hap - a.hap), kernel: pct(b.kernel - a.kernel)
  }
}

/** One paced window against <target> with the balancer on its own core: the
 *  busy % of the balancer's core and of the other one. */
async function coreWindow (lan, target) {
  const t0 = performance.now(); const i0 = [idleNs(BALANCER_CORE), idleNs(OTHER_CORE)]
  const r = await load(lan, 'paced', target, CORE_SECS, RATE, OTHER_CORE)
  const wall = (performance.now() - t0) * 1e6; const i1 = [idleNs(BALANCER_CORE), idleNs(OTHER_CORE)]
  const busy = k => Math.max(0, 100 - (i1[k] - i0[k]) / wall * 100)
  return { held: r.done / r.secs, failed: r.failed, balancer: busy(0), other: busy(1) }
}

/** Gives the balancer CPU BALANCER_CORE alone: RPS of its eth0 there, every other
 *  interface's to OTHER_CORE, HAProxy and pocketlb pinned there, the rest elsewhere. */
function isolateBalancer (lan, pids) {
  const rps = (ns, dev, cpu) => {
    const r = spawnSync('ip', ['netns', 'exec', ns, 'sh', '-c', `echo ${1 << cpu} > /sys/class/net/${dev}/queues/rx-0/rps_cpus`], { encoding: 'utf8' })
    if (r.status !== 0) throw new Error(`rps ${ns} ${dev}: ${r.stderr}`)
  }
  const pin = (pid, cpu) => spawnSync('taskset', ['-a', '-p', '-c', String(cpu), String(pid)], { stdio: 'ignore' })
  rps(lan.ns('lb'), 'eth0', BALANCER_CORE)
  for (const n of ['cl', ...BACKENDS.map((_, i) => `s${i + 1}`)]) rps(lan.ns(n), 'eth0', OTHER_CORE)
  const ports = spawnSync('ip', ['-n', lan.ns('br'), '-o', 'link', 'show', 'master', 'br0'], { encoding: 'utf8' }).stdout
  for (const m of ports.matchAll(/^\d+: (p\d+)@/gm)) rps(lan.ns('br'), m[1], OTHER_CORE)
  for (const p of [...tree(pids.hap), ...tree(pids.plb)]) pin(p, BALANCER_CORE)
  for (const p of [...pids.backends, process.pid]) pin(p, OTHER_CORE)
}

const lan = new L4Lan(2)
let hap = null
const max = {}; const windows = { direct: [], routed: [], nftables: [], haproxy: [] }
const cores = { direct: [], routed: [], nftables: [], haproxy: [] }

/** The backends' second addresses, reached from the client through the balancer
 *  as a router (their answers from those addresses go back through it too). */
function routeThroughBalancer (lan) {
  const ip = args => { const r = spawnSync('ip', args, { encoding: 'utf8' }); if (r.status !== 0) throw new Error(`ip ${args.join(' ')}: ${r.stderr}`) }
  ip(['-n', lan.ns('cl'), 'route', 'add', '10.89.0.0/24', 'via', '10.88.0.1'])
  ROUTED.forEach((a, i) => {
    const ns = lan.ns(`s${i + 1}`)
    ip(['-n', ns, 'addr', 'add', `${a}/32`, 'dev', 'eth0'])
    ip(['-n', ns, 'rule', 'add', 'from', a, 'table', '89'])
    ip(['-n', ns, 'route', 'add', 'default', 'via', '10.88.0.1', 'table', '89'])
    ip(['-n', lan.ns('lb'), 'route', 'add', a, 'via', BACKENDS[i]])
  })
}
try {
  // many short connections from few addresses: reuse TIME_WAIT ports on the connecting sides
  for (const n of ['cl', 'lb']) {
    spawnSync('ip', ['netns', 'exec', lan.ns(n), 'sysctl', '-qw', 'net.ipv4.tcp_tw_reuse=1', 'net.ipv4.ip_local_port_range=1024 65000'])
  }
  lan.vip(true)
  routeThroughBalancer(lan)
  lan.runVrrp(`virtual_server ${VIP} 80 {
  delay_loop 2
  lb_algo rr
${BACKENDS.map(a => `  real_server ${a} 8080 {\n    TCP_CHECK {\n      connect_timeout 1\n    }\n  }\n`).join('')}}
`)
  const cfg = join(lan.dir, 'haproxy.cfg')
  writeFileSync(cfg, `global
  maxconn 8000
defaults
  mode tcp
  timeout connect 2s
  timeout client 10s
  timeout server 10s
frontend f
  bind ${VIP}:81
  default_backend b
backend b
  balance roundrobin
${BACKENDS.map((a, i) => `  server s${i + 1} ${a}:8080 check inter 2s\n`).join('')}`)
  hap = spawn('ip', ['netns', 'exec', lan.ns('lb'), 'haproxy', '-f', cfg, '-db'], { stdio: ['ignore', 'ignore', 'inherit'] })
  if (!await until(() => lan.lines.some(l => l.includes('Activated')), 15_000)) throw new Error(lan.lines.join('\n'))
  if (!await until(() => lan.clients('tcp', 81, 2).every(Boolean), 10_000)) throw new Error('HAProxy does not answer on VIP:81')
  await sleep(500)
  const pids = { backends: lan.backendPids(), soft: ksoftirqd(), plb: lan.runner.pid, hap: hap.pid }

  for (const t of COMPARED) {
    const conn = await load(lan, 'conn', t, MAX_SECS, CONCURRENCY)
    const bulk = await load(lan, 'bulk', t, MAX_SECS, CONCURRENCY)
    max[t] = { connPerSec: conn.done / conn.secs, bulkMBps: bulk.bytes / bulk.secs / 1e6, failed: conn.failed + bulk.failed }
  }
  for (let i = 0; i < ROUNDS; i++) for (const t of Object.keys(TARGETS)) windows[t].push(await pacedWindow(lan, t, pids))
  isolateBalancer(lan, pids)
  for (let i = 0; i < ROUNDS; i++) for (const t of Object.keys(cores)) cores[t].push(await coreWindow(lan, t))
} finally {
  if (hap !== null && hap.exitCode === null) hap.kill('SIGKILL')
  await lan.destroy()
}

// per round: the direct window is the baseline of the nftables and HAProxy windows next
// to it; the median over rounds, as another job's burst on the machine spoils one window
const mean = xs => xs.reduce((a, b) => a + b, 0) / xs.length
const median = xs => { const s = [...xs].sort((a, b) => a - b); const m = s.length >> 1; return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2 }
const perRound = f => median(windows.direct.map((d, i) => f(d, windows.nftables[i], windows.haproxy[i], windows.routed[i])))
const cpu = {
  routed: perRound((d, _n, _h, r) => r.path - d.path),
  nftables: perRound((d, n) => n.path - d.path + n.plb),
  nftablesProcess: median(windows.nftables.map(w => w.plb)),
  nftablesProcStat: perRound((d, n) => n.kernel - d.kernel + n.plb),
  haproxyProcess: median(windows.haproxy.map(w => w.hap)),
  haproxyWhole: perRound((d, _n, h) => h.path - d.path + h.hap),
  haproxyProcStat: perRound((d, _n, h) => h.kernel - d.kernel + h.hap),
  routedCore: median(cores.direct.map((d, i) => cores.routed[i].balancer - d.balancer)),
  nftablesCore: median(cores.direct.map((d, i) => cores.nftables[i].balancer - d.balancer)),
  haproxyCore: median(cores.direct.map((d, i) => cores.haproxy[i].balancer - d.balancer))
}

const f1 = x => x.toFixed(1)
const row = (label, ...cells) => console.log(label.padEnd(44) + cells.map(c => String(c).padStart(11)).join(''))
const ratio = (a, b) => b ? (a / b).toFixed(2) + '×' : '-'
console.log(`kernel path (nftables) beside HAProxy 2.6 mode tcp; 2 Node echo backends; machine load avg ${readFileSync('/proc/loadavg', 'utf8').split(' ')[0]}`)
row('', ...COMPARED, 'nft/hap')
row(`new conn/s (${CONCURRENCY} in flight, ${MAX_SECS} s)`, f1(max.direct.connPerSec), f1(max.nftables.connPerSec), f1(max.haproxy.connPerSec), ratio(max.nftables.connPerSec, max.haproxy.connPerSec))
row('64 KiB echoed per conn: MB/s', f1(max.direct.bulkMBps), f1(max.nftables.bulkMBps), f1(max.haproxy.bulkMBps), ratio(max.nftables.bulkMBps, max.haproxy.bulkMBps))
row(`paced at ${RATE}/s: held conn/s (mean of ${ROUNDS})`, ...COMPARED.map(t => f1(mean(windows[t].map(w => w.held)))), '')
row('paced: failed connections', ...COMPARED.map(t => windows[t].reduce((a, w) => a + w.failed, 0)), '')
row('path system CPU % (client+backends+ksoftirqd)', ...COMPARED.map(t => f1(mean(windows[t].map(w => w.path)))), '')
console.log(`balancer CPU % of one core at ${RATE} new conn/s (median of ${ROUNDS} rounds):`)
row('  nftables (path delta + pocketlb) vs HAProxy process', '', f1(cpu.nftables), f1(cpu.haproxyProcess), ratio(cpu.nftables, cpu.haproxyProcess))
row('  nftables vs HAProxy whole (path delta + process)', '', f1(cpu.nftables), f1(cpu.haproxyWhole), ratio(cpu.nftables, cpu.haproxyWhole))
row('  /proc/stat system+softirq delta + process', '', f1(cpu.nftablesProcStat), f1(cpu.haproxyProcStat), ratio(cpu.nftablesProcStat, cpu.haproxyProcStat))
row('  balancer core alone (RPS + pinning), busy % − direct', '', f1(cpu.nftablesCore), f1(cpu.haproxyCore), ratio(cpu.nftablesCore, cpu.haproxyCore))
row('  pocketlb process alone (checks)', '', f1(cpu.nftablesProcess), '', '')
row('  the plain routed hop (no NAT, no rules): path delta', '', f1(cpu.routed), '', '')
row('  the plain routed hop: balancer core alone', '', f1(cpu.routedCore), '', '')
console.log(`routed windows: held ${f1(mean(windows.routed.map(w => w.held)))} conn/s, ${windows.routed.reduce((a, w) => a + w.failed, 0)} failed`)
console.log(`balancer-core windows: held ${Object.keys(cores).map(t => `${t} ${f1(mean(cores[t].map(w => w.held)))}`).join(', ')} conn/s, ` +
  `${Object.keys(cores).reduce((a, t) => a + cores[t].reduce((b, w) => b + w.failed, 0), 0)} failed; other core busy ${Object.keys(cores).map(t => `${t} ${f1(mean(cores[t].map(w => w.other)))} %`).join(', ')}`)
console.log(`failed connections at full speed: direct ${max.direct.failed}, nftables ${max.nftables.failed}, haproxy ${max.haproxy.failed}`)
console.log(JSON.stringify({ max, windows, cores, cpu }))
