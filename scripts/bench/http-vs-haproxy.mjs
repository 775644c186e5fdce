#!/usr/bin/env node
// Side-by-side L7 benchmark: the same config served by HAProxy 2.6 and by pocketlb
// (the built bundle), two tiny Node backends answering 99 bytes, wrk as the client.
// Prints req/s, CPU seconds of the proxy process and RSS, and pocketlb/HAProxy ratios.
// Bounded: each run lasts <secs> seconds (default 5). Loopback only.
//   node scripts/bench/http-vs-haproxy.mjs [secs]
import { spawn, spawnSync } from 'node:child_process'
import { createServer } from 'node:http'
import { createServer as netServer, connect } from 'node:net'
import { mkdtempSync, writeFileSync, readFileSync, rmSync, existsSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

const secs = Number(process.argv[2] ?? 5)
const root = new URL('../..', import.meta.url).pathname
const body = 'x'.repeat(98) + '\n'

function freePort () {
  return new Promise(resolve => { const s = netServer(); s.listen(0, '127.0.0.1', () => { const p = s.address().port; s.close(() => resolve(p)) }) })
}

function cpuSeconds (pid) {
  const f = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ')
  const tick = 100
  return (Number(f[11]) + Number(f[12])) / tick
}

function rssKb (pid) {
  const m = /VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))
  return m ? Number(m[1]) : 0
}

async function waitPort (port) {
  for (let i = 0; i < 100; i++) {
    const ok = await new Promise(r => { const s = connect(port, '127.0.0.1'); s.on('connect', () => { s.destroy(); r(true) }); s.on('error', () => r(false)) })
    if (ok) return
    await new Promise(r => setTimeout(r, 100))
  }
  throw new Error('proxy did not start on ' + port)
}

/** wrk runs as a child while this process keeps serving the backends. */
async function wrk (port, keepAlive) {
  const args = ['-t1', '-c50', `-d${secs}s`, `http://127.0.0.1:${port}/`]
  if (!keepAlive) args.push('-H', 'Connection: close')
  const p = spawn('wrk', args)
  let stdout = ''
  p.stdout.on('data', d => { stdout += d })
  await new Promise(r => p.on('exit', r))
  const rps = /Requests\/sec:\s+([\d.]+)/.exec(stdout)
  const errs = /Non-2xx or 3xx responses: (\d+)|Socket errors: (.*)/.exec(stdout)
  return { rps: rps ? Number(rps[1]) : 0, errors: errs ? errs[0] : 'none' }
}

async function measure (cmd, args, port) {
  const p = spawn(cmd, args, { stdio: 'ignore' })
  await waitPort(port)
  const out = {}
  for (const ka of [true, false]) {
    const c0 = cpuSeconds(p.pid)
    const w = await wrk(port, ka)
    const c1 = cpuSeconds(p.pid)
    out[ka ? 'keepalive' : 'close'] = { ...w, cpu: c1 - c0, perCoreSec: w.rps * secs / Math.max(0.01, c1 - c0) }
  }
  out.rssKb = rssKb(p.pid)
  p.kill('SIGKILL')
  return out
}

if (!existsSync(join(root, 'dist/pocketlb.mjs'))) spawnSync(process.execPath, [join(root, 'scripts/build.mjs')], { stdio: 'inherit' })
const backends = []
const bports = []
for (let i = 0; i < 2; i++) {
  const s = createServer((q, r) => { r.writeHead(200, { 'content-length': body.length }); r.end(body) })
  await new Promise(r => s.listen(0, '127.0.0.1', r))
  s.keepAliveTimeout = 10000
  backends.push(s); bports.push(s.address().port)
}
const dir = mkdtempSync(join(tmpdir(), 'plb-bench-'))
const cfg = (port) => `global\n  maxconn 4000\ndefaults\n  mode http\n  timeout connect 5s\n  timeout client 30s\n  timeout server 30s\nfrontend f\n  bind 127.0.0.1:${port}\n  default_backend b\nbackend b\n  balance roundrobin\n  server s1 127.0.0.1:${bports[0]}\n  server s2 127.0.0.1:${bports[1]}\n`
const hp = await freePort(); const pp = await freePort()
writeFileSync(join(dir, 'h.cfg'), cfg(hp)); writeFileSync(join(dir, 'p.cfg'), cfg(pp))
const hap = await measure('haproxy', ['-db', '-f', join(dir, 'h.cfg')], hp)
const plb = await measure(process.execPath, [join(root, 'dist/pocketlb.mjs'), '-f', join(dir, 'p.cfg')], pp)
for (const s of backends) s.close()
rmSync(dir, { recursive: true, force: true })

const row = (k, label) => {
  const h = hap[k]; const p = plb[k]
  console.log(`${label.padEnd(34)} haproxy ${h.rps.toFixed(0).padStart(7)} req/s (${h.perCoreSec.toFixed(0)}/core-s)  pocketlb ${p.rps.toFixed(0).padStart(7)} req/s (${p.perCoreSec.toFixed(0)}/core-s)  ratio per core ${(p.perCoreSec / h.perCoreSec).toFixed(2)}  errors: ${p.errors}`)
}
console.log(`L7, 99-byte responses, 2 Node backends, wrk -c50, ${secs}s each, same machine, same run`)
row('keepalive', 'keep-alive')
row('close', 'new connection per request')
console.log(`RSS after load                     haproxy ${(hap.rssKb / 1024).toFixed(1)} MB  pocketlb ${(plb.rssKb / 1024).toFixed(1)} MB  ratio ${(plb.rssKb / hap.rssKb).toFixed(2)}`)
