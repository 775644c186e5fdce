#!/usr/bin/env node
// A/B of pocketlb builds beside stock HAProxy, in rounds that alternate them
// (the machine is shared and noisy: each round's figures are ratios to the
// HAProxy run of the same round; the medians over rounds are printed).
//   node scripts/bench/ab.mjs <bundle.mjs>[@<node flags>] [...] [--rounds 3]
// "@--flag,--flag2" adds V8/node flags to the profile's for that entry.
// A bundle is built with `node scripts/build.mjs` (or esbuild to another path).
// Per round and proxy: CPU % at 1000 new conn/s (3 s), Connection: close and
// keep-alive requests per core-second (wrk, 2 s each). ≈ 25 s per round and bundle.
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { LOAD_CORE, cpuNs, startPinned, stop, runJson, waitPort, freePort } from './lib/proc.mjs'
import { wrk } from './lib/wrk.mjs'
import { startProxy, profileStart } from './lib/proxies.mjs'

const argv = process.argv.slice(2)
const ri = argv.indexOf('--rounds')
const rounds = ri >= 0 ? Number(argv[ri + 1]) : 3
const bundles = argv.filter((a, i) => !a.startsWith('--') && !(ri >= 0 && i === ri + 1))
if (bundles.length === 0) { console.error('usage: ab.mjs <bundle.mjs> [...] [--rounds n]'); process.exit(2) }
const lib = f => join(new URL('.', import.meta.url).pathname, 'lib', f)
const sleep = ms => new Promise(r => setTimeout(r, ms))

const dir = mkdtempSync(join(tmpdir(), 'plb-ab-'))
const backends = []
const bports = []
for (let i = 0; i < 2; i++) {
  const port = await freePort()
  backends.push(startPinned(LOAD_CORE, process.execPath, [lib('backend.mjs'), port]))
  bports.push(port)
}
for (const p of bports) await waitPort(p)

async function cpuOf (pid, fn) {
  const c0 = cpuNs(pid); const t0 = performance.now()
  const r = await fn()
  return { r, cpu: (cpuNs(pid) - c0) / 1e9, wall: (performance.now() - t0) / 1000 }
}

async function figures (kind, entry) {
  const [bundlePath, extra] = entry.split('@')
  const nodeFlags = extra === undefined ? null : [...profileStart('pocket').flags, ...extra.split(',')]
  const px = await startProxy(kind, 'http', bports, dir, { bundlePath, nodeFlags })
  try {
    await sleep(300)
    const at1k = await cpuOf(px.proc.pid, () => runJson(LOAD_CORE, lib('rate-client.mjs'), [px.port, 1000, 3], 20000))
    const close = await cpuOf(px.proc.pid, () => wrk(px.port, { secs: 2, close: true }))
    const ka = await cpuOf(px.proc.pid, () => wrk(px.port, { secs: 2 }))
    return {
      cpu1k: 100 * at1k.cpu / at1k.wall,
      close: close.r.requests / close.cpu,
      ka: ka.r.requests / ka.cpu,
      errors: (at1k.r.errors ?? 1) + close.r.errors + ka.r.errors
    }
  } finally { await stop(px.proc) }
}

const names = ['haproxy', ...bundles]
const runs = names.map(() => [])
try {
  for (let r = 0; r < rounds; r++) {
    for (let i = 0; i < names.length; i++) {
      const f = await figures(i === 0 ? 'haproxy' : 'pocketlb', names[i])
      runs[i].push(f)
    }
    const h = runs[0][r]
    console.log(`round ${r + 1}: ` + names.slice(1).map((n, i) => { const f = runs[i + 1][r]; return `${n.split('/').slice(-2).join('/')} cpu1k ${(f.cpu1k / h.cpu1k).toFixed(2)}× close ${(f.close / h.close).toFixed(2)}× ka ${(f.ka / h.ka).toFixed(2)}× err ${f.errors}` }).join(' | '))
  }
} finally {
  for (const b of backends) await stop(b)
  rmSync(dir, { recursive: true, force: true })
}
const median = xs => { const s = [...xs].sort((a, b) => a - b); return s[Math.floor(s.length / 2)] }
const rel = (i, key) => median(runs[i].map((f, r) => f[key] / runs[0][r][key]))
console.log('\nmedian over rounds (ratio to HAProxy stock in the same round; HAProxy absolute figures)')
console.log('proxy'.padEnd(40) + 'CPU@1000/s'.padStart(12) + 'close/core-s'.padStart(14) + 'ka/core-s'.padStart(12) + 'errors'.padStart(8))
console.log('haproxy'.padEnd(40) + (median(runs[0].map(f => f.cpu1k)).toFixed(1) + ' %').padStart(12) + Math.round(median(runs[0].map(f => f.close))).toString().padStart(14) + Math.round(median(runs[0].map(f => f.ka))).toString().padStart(12) + String(runs[0].reduce((a, f) => a + f.errors, 0)).padStart(8))
for (let i = 1; i < names.length; i++) {
  console.log(names[i].slice(-40).padEnd(40) + (rel(i, 'cpu1k').toFixed(2) + '×').padStart(12) + (rel(i, 'close').toFixed(2) + '×').padStart(14) + (rel(i, 'ka').toFixed(2) + '×').padStart(12) + String(runs[i].reduce((a, f) => a + f.errors, 0)).padStart(8))
}
