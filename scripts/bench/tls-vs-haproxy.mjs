#!/usr/bin/env node
// TLS offload beside HAProxy 2.6, same run, same certificate (ECDSA P-256) and config:
// full handshakes per core-second (wrk, Connection: close, no session resumption on
// either side) and proxy CPU at 1000 new TLS connections/s. Proxy pinned to core 0,
// load to core 1, CPU from /proc/<pid>/task/*/schedstat. Bounded: about 20 s.
//   node scripts/bench/tls-vs-haproxy.mjs [--secs <wrk seconds, default 4>] [--rate-secs <default 3>]
// pocketlb runs from the sources (node --import tsx src/main.ts): same code as the bundle.
import { execFileSync } from 'node:child_process'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { connect } from 'node:tls'
import { LOAD_CORE, PROXY_CORE, cpuNs, freePort, rssKb, startPinned, stop, waitPort, runJson } from './lib/proc.mjs'

const argv = process.argv.slice(2)
const opt = (name, dflt) => { const i = argv.indexOf(name); return i < 0 ? dflt : Number(argv[i + 1]) }
const here = new URL('.', import.meta.url).pathname
const root = new URL('../..', import.meta.url).pathname
const sleep = ms => new Promise(r => setTimeout(r, ms))

// --client <port> <rate> <secs>: the paced TLS client (runs pinned on the load core)
if (argv[0] === '--client') {
  const [port, rate, secs] = argv.slice(1).map(Number)
  let ok = 0; let errors = 0; let inflight = 0
  const started = performance.now()
  const one = () => {
    inflight++
    const s = connect({ host: '127.0.0.1', port, servername: 'bench.test', rejectUnauthorized: false })
    s.on('secureConnect', () => s.write('GET / HTTP/1.1\r\nHost: bench.test\r\nConnection: close\r\n\r\n'))
    s.on('data', () => {})
    s.on('error', () => { errors++ })
    s.on('close', () => { inflight--; if (!s.errored) ok++ })
  }
  let sent = 0
  const timer = setInterval(() => {
    const due = Math.floor((performance.now() - started) / 1000 * rate)
    while (sent < due && sent < rate * secs) { one(); sent++ }
    if (sent >= rate * secs) clearInterval(timer)
  }, 2)
  await new Promise(r => setTimeout(r, secs * 1000 + 1500))
  console.log(JSON.stringify({ offered: sent, ok, errors, held: ok / secs, leftInflight: inflight }))
  process.exit(0)
}

const secs = opt('--secs', 4)
const rateSecs = opt('--rate-secs', 3)
const dir = mkdtempSync(join(tmpdir(), 'plb-bench-tls-'))
const children = []

function config (port, pem) {
  return `global\n  maxconn 4000\n  tune.ssl.cachesize 0\ndefaults\n  mode http\n  timeout connect 5s\n  timeout client 30s\n  timeout server 30s\n` +
    `frontend f\n  bind 127.0.0.1:${port} ssl crt ${pem} no-tls-tickets alpn http/1.1\n` +
    '  http-request return status 200 content-type text/plain string ok\n'
}

async function startProxy (kind, pem) {
  const port = await freePort()
  const file = join(dir, `${kind}.cfg`)
  writeFileSync(file, config(port, pem))
  const proc = kind === 'haproxy'
    ? startPinned(PROXY_CORE, 'haproxy', ['-db', '-q', '-f', file])
    : startPinned(PROXY_CORE, process.execPath, ['--import', 'tsx', join(root, 'src/main.ts'), '-q', '-f', file], { env: { PLB_STATE_DIR: dir } })
  children.push(proc)
  await waitPort(port)
  return { proc, port }
}

/** { handshakes, errors } of wrk on https with one connection per request */
async function wrkTls (port) {
  const p = startPinned(LOAD_CORE, 'wrk', ['-t1', '-c16', `-d${secs}s`, '-H', 'Connection: close', `https://127.0.0.1:${port}/`], { stdio: ['ignore', 'pipe', 'ignore'] })
  let out = ''
  p.stdout.on('data', d => { out += d })
  await new Promise(r => p.on('exit', r))
  const num = re => { const m = re.exec(out); return m ? Number(m[1]) : 0 }
  const sock = /Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)/.exec(out)
  return { handshakes: num(/(\d+) requests in/), errors: num(/Non-2xx or 3xx responses: (\d+)/) + (sock ? sock.slice(1).map(Number).reduce((a, b) => a + b, 0) : 0) }
}

async function figures (kind, pem) {
  const px = await startProxy(kind, pem)
  const pid = px.proc.pid
  await sleep(300)
  const rssIdleKb = rssKb(pid)
  let c0 = cpuNs(pid)
  const w = await wrkTls(px.port)
  const perCoreSec = w.handshakes / ((cpuNs(pid) - c0) / 1e9)
  c0 = cpuNs(pid)
  const at1k = await runJson(LOAD_CORE, join(here, 'tls-vs-haproxy.mjs'), ['--client', px.port, 1000, rateSecs], (rateSecs + 10) * 1000)
  // over the offered period: the client's run also waits 1.5 s for stragglers after it
  const cpuPctAt1k = 100 * ((cpuNs(pid) - c0) / 1e9) / rateSecs
  const rssLoadKb = rssKb(pid)
  await stop(px.proc)
  return { perCoreSec, wrk: w, cpuPctAt1k, at1k, rssIdleKb, rssLoadKb }
}

try {
  const key = join(dir, 'k.pem'); const crt = join(dir, 'c.pem'); const pem = join(dir, 'bench.pem')
  execFileSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', key, '-out', crt, '-days', '1', '-subj', '/CN=bench.test'], { stdio: 'ignore' })
  writeFileSync(pem, execFileSync('cat', [crt, key]))
  const h = await figures('haproxy', pem)
  const p = await figures('pocketlb', pem)
  const f0 = n => Math.round(n).toLocaleString('en-US')
  const ratio = (a, b) => b ? (a / b).toFixed(2) + '×' : '-'
  const row = (label, a, b, r) => console.log(label.padEnd(46) + String(a).padStart(14) + String(b).padStart(14) + String(r).padStart(12))
  console.log(`TLS 1.3 full handshakes, ECDSA P-256, no resumption; proxy on core ${PROXY_CORE}, load on core ${LOAD_CORE} (${secs} s wrk, ${rateSecs} s at 1000/s)`)
  row('figure', 'HAProxy 2.6', 'pocketlb', 'plb/hap')
  row('handshakes (+1 request) per core-second', f0(h.perCoreSec), f0(p.perCoreSec), ratio(p.perCoreSec, h.perCoreSec))
  row('CPU % of one core at 1000 new TLS conn/s', h.cpuPctAt1k.toFixed(1), p.cpuPctAt1k.toFixed(1), ratio(p.cpuPctAt1k, h.cpuPctAt1k))
  // latencies are not shown: one Node client core doing 1000 client handshakes/s is itself the bottleneck
  row('  completed/s at 1000/s offered', f0(h.at1k.held ?? 0), f0(p.at1k.held ?? 0), '')
  row('errors (wrk, paced client)', `${h.wrk.errors}, ${h.at1k.errors}`, `${p.wrk.errors}, ${p.at1k.errors}`, '')
  row('RSS idle / after load (MB)', `${(h.rssIdleKb / 1024).toFixed(1)} / ${(h.rssLoadKb / 1024).toFixed(1)}`, `${(p.rssIdleKb / 1024).toFixed(1)} / ${(p.rssLoadKb / 1024).toFixed(1)}`, '')
} finally {
  for (const c of children) await stop(c)
  rmSync(dir, { recursive: true, force: true })
}
