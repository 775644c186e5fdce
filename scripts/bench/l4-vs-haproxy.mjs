#!/usr/bin/env node
// The kernel path (keepalived virtual_server on nftables, run by `pocketlb vrrp`)
// beside HAProxy 2.6 `mode tcp`, in the same namespaces (client, balancer, two
// backends on one bridge): new connections per second, 64 KiB echoed per
// connection, and CPU at 1000 new connections/s — the balancer process's CPU
// (pocketlb: checks and programming only; HAProxy: all the proxying) and the
// whole machine's from /proc/stat (softirq included; other load on the machine
// shows there too). Bounded to about 30 s.
//   node --import tsx scripts/bench/l4-vs-haproxy.mjs
import { spawn } from 'node:child_process'
import { readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { L4Lan, VIP, sleep, until } from '../../test/net/l4/topo.ts'

const SECS = 3
const CONCURRENCY = 32

/** argv: mode(conn|bulk) host port secs concurrency rate(0 = as fast as possible) */
const LOAD_JS = `const net = require('net'); const [mode, host, port, secs, conc, rate] = process.argv.slice(1);
const payload = Buffer.alloc(65536, 120); const end = Date.now() + secs * 1000; let done = 0, failed = 0, bytes = 0, started = 0;
const t0 = Date.now(); const allowed = () => +rate === 0 || started < (Date.now() - t0) * rate / 1000;
function one () { return new Promise(res => { started++; const s = net.connect(+port, host); let got = 0; const want = mode === 'bulk' ? 65536 + 3 : 3;
  s.on('connect', () => { if (mode === 'bulk') s.write(payload) });
  s.on('data', d => { got += d.length; if (got >= want) { bytes += got; done++; s.destroy(); res() } });
  s.on('error', () => { failed++; res() }); s.setTimeout(3000, () => { failed++; s.destroy(); res() }) }) }
async function worker () { while (Date.now() < end) { if (!allowed()) { await new Promise(r => setTimeout(r, 1)); continue } await one() } }
Promise.all(Array.from({ length: +conc }, worker)).then(() => console.log(JSON.stringify({ done, failed, bytes })));`

const ticks = pid => { const f = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' '); return Number(f[11]) + Number(f[12]) }
const system = () => { const f = readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/).slice(1).map(Number); return { busy: f[0] + f[1] + f[2] + f[4] + f[5] + f[6] + f[7], all: f.reduce((a, b) => a + b, 0) } }

function load (lan, mode, rate) {
  return new Promise((resolve, reject) => {
    const p = spawn('ip', ['netns', 'exec', lan.ns('cl'), process.execPath, '-e', LOAD_JS, mode, VIP, '80', String(SECS), String(CONCURRENCY), String(rate)], { stdio: ['ignore', 'pipe', 'inherit'] })
    let out = ''
    p.stdout.on('data', b => { out += b })
    p.on('exit', code => code === 0 ? resolve(JSON.parse(out)) : reject(new Error(`load exited ${code}`)))
  })
}

/** The three measurements against whatever balances VIP:80 now; <pid> is the balancer process. */
async function measure (lan, pid) {
  const conn = await load(lan, 'conn', 0)
  const bulk = await load(lan, 'bulk', 0)
  const p0 = ticks(pid); const s0 = system()
  const paced = await load(lan, 'conn', 1000)
  const p1 = ticks(pid); const s1 = system()
  const hz = 100
  return {
    connPerSec: conn.done / SECS, connFailed: conn.failed,
    bulkConnPerSec: bulk.done / SECS, bulkMBps: bulk.bytes / SECS / 1e6, bulkFailed: bulk.failed,
    pacedPerSec: paced.done / SECS,
    processCpuPct: (p1 - p0) / hz / SECS * 100,
    systemBusyPct: (s1.busy - s0.busy) / (s1.all - s0.all) * 100
  }
}

const lan = new L4Lan(2)
const results = {}
try {
  lan.vip(true)
  lan.runVrrp(`virtual_server ${VIP} 80 {
  delay_loop 2
  lb_algo rr
  real_server 10.88.0.11 8080 {
    TCP_CHECK {
      connect_timeout 1
    }
  }
  real_server 10.88.0.12 8080 {
    TCP_CHECK {
      connect_timeout 1
    }
  }
}
`)
  if (!await until(() => lan.lines.some(l => l.includes('Activated')), 15_000)) throw new Error(lan.lines.join('\n'))
  results.nftables = await measure(lan, lan.runner.pid)
  await lan.stopRunner()
  const cfg = join(lan.dir, 'haproxy.cfg')
  writeFileSync(cfg, `global
  maxconn 4000
defaults
  mode tcp
  timeout connect 2s
  timeout client 10s
  timeout server 10s
frontend f
  bind ${VIP}:80
  default_backend b
backend b
  balance roundrobin
  server s1 10.88.0.11:8080 check inter 2s
  server s2 10.88.0.12:8080 check inter 2s
`)
  const hap = spawn('ip', ['netns', 'exec', lan.ns('lb'), 'haproxy', '-f', cfg, '-db'], { stdio: ['ignore', 'ignore', 'inherit'] })
  try {
    await sleep(500)
    results.haproxy = await measure(lan, hap.pid)
  } finally {
    hap.kill('SIGKILL')
  }
} finally {
  await lan.destroy()
}
const n = results.nftables; const h = results.haproxy
const fmt = x => x.toFixed(1)
console.log('                      nftables   haproxy   ratio')
for (const [label, k] of [['new conn/s', 'connPerSec'], ['64KiB conn/s', 'bulkConnPerSec'], ['64KiB MB/s', 'bulkMBps'], ['paced conn/s', 'pacedPerSec'], ['balancer CPU % @1000/s', 'processCpuPct'], ['system busy % @1000/s', 'systemBusyPct']]) {
  console.log(`${label.padEnd(22)}${fmt(n[k]).padStart(9)}${fmt(h[k]).padStart(10)}${(h[k] ? fmt(n[k] / h[k]) + 'x' : '-').padStart(8)}`)
}
console.log(`failed connections: nftables ${n.connFailed + n.bulkFailed}, haproxy ${h.connFailed + h.bulkFailed}`)
console.log(JSON.stringify(results))
