#!/usr/bin/env node
// pocketlb beside HAProxy 2.6 on the same machine in the same run (issue 6's figures).
// The proxy is pinned to core 0; backends (tiny Node servers in their own processes)
// and load (wrk, a rate-limited Node client) to core 1. CPU from
// /proc/<pid>/task/*/schedstat. Bounded: default ≈ 2–3 min, --quick ≤ 40 s.
//   node scripts/bench/http-vs-haproxy.mjs [--quick] [--quota <percent>] [--ws <n>] [--sustain [secs]]
// --sustain: pocketlb (pocket profile) alone at 1000 new conn/s for 60 s (RSS sampled each second);
// --proxy haproxy runs it on HAProxy instead, --rate <n> changes the offered rate, --node-flags "<flags>" replaces the profile's V8 flags (to compare them).
// --only l7|ws|l4 runs one part (to measure one change quickly; the others print as missing).
// Results also go to bench-results/<date>.json.
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { LOAD_CORE, cpuNs, rssKb, startPinned, stop, runJson, freePort, waitPort } from './lib/proc.mjs'
import { wrk } from './lib/wrk.mjs'
import { capCpu } from './lib/quota.mjs'
import { startProxy, useBundle } from './lib/proxies.mjs'
import { bundle } from '../bundle.mjs'

const argv = process.argv.slice(2)
const opt = (name, dflt) => { const i = argv.indexOf(name); return i < 0 ? dflt : (argv[i + 1] !== undefined && !argv[i + 1].startsWith('--') ? argv[i + 1] : true) }
const quick = argv.includes('--quick')
const quota = Number(opt('--quota', 0))
const sustain = opt('--sustain', false)
const only = opt('--only', null)
const part = name => only === null || only === name
const secs = quick ? 2 : 4
const rateSecs = quick ? 3 : 5
const wsCount = Number(opt('--ws', quick ? 2000 : 9000))
const here = new URL('.', import.meta.url).pathname
const root = new URL('../..', import.meta.url).pathname
const lib = f => join(here, 'lib', f)
const sleep = ms => new Promise(r => setTimeout(r, ms))

const dir = mkdtempSync(join(tmpdir(), 'plb-bench-'))
// pocketlb as the appliance runs it: the minified product bundle (scripts/bundle.mjs).
// The development build keeps comments, some not ASCII: V8 then holds its source
// as a two-byte string, ~2 MB more RSS. PLB_BUNDLE names another build instead.
if (!process.env.PLB_BUNDLE) useBundle((await bundle({ out: join(dir, 'bundle') })).outfile)
const children = []
const backends = []
const bports = []
for (let i = 0; i < 2; i++) {
  const port = await freePort()
  const b = startPinned(LOAD_CORE, process.execPath, [lib('backend.mjs'), port])
  backends.push(b); bports.push(port)
}
for (const p of bports) await waitPort(p)

/** CPU seconds <pid> spent while <fn> ran, and <fn>'s result */
async function cpuDuring (pid, fn) {
  const c0 = cpuNs(pid); const t0 = performance.now()
  const r = await fn()
  return { r, cpu: (cpuNs(pid) - c0) / 1e9, wall: (performance.now() - t0) / 1000 }
}

const rate = (port, r, s) => runJson(LOAD_CORE, lib('rate-client.mjs'), [port, r, s], (s + 15) * 1000)

async function l7Figures (kind, opts = {}) {
  const px = await startProxy(kind, 'http', bports, dir, opts)
  children.push(px.proc)
  const pid = px.proc.pid
  await sleep(300)
  const out = { rssIdleKb: rssKb(pid) }
  const at1k = await cpuDuring(pid, () => rate(px.port, 1000, rateSecs))
  out.cpuPctAt1k = 100 * at1k.cpu / at1k.wall
  out.at1k = at1k.r
  const close = await cpuDuring(pid, () => wrk(px.port, { secs, close: true }))
  out.closePerCoreSec = close.r.requests / close.cpu
  out.close = close.r
  const ka = await cpuDuring(pid, () => wrk(px.port, { secs }))
  out.kaPerCoreSec = ka.r.requests / ka.cpu
  out.keepalive = ka.r
  out.rssAfterLoadKb = rssKb(pid)
  await stop(px.proc)
  return out
}

/** KB of RSS per idle websocket: <n> upgrades held through a fresh proxy */
async function wsFigure (kind, opts) {
  const px = await startProxy(kind, 'http', bports, dir, opts)
  children.push(px.proc)
  await sleep(300)
  const before = rssKb(px.proc.pid)
  const client = startPinned(LOAD_CORE, process.execPath, [lib('ws-idle.mjs'), px.port, wsCount], { stdio: ['ignore', 'pipe', 'inherit'] })
  children.push(client)
  const res = await new Promise(resolve => {
    let out = ''
    const t = setTimeout(() => resolve({ ready: 0, failed: wsCount, error: 'timeout' }), 60000)
    client.stdout.on('data', d => { out += d; if (out.includes('\n')) { clearTimeout(t); resolve(JSON.parse(out)) } })
  })
  await sleep(500)
  const after = rssKb(px.proc.pid)
  await stop(client); await stop(px.proc)
  return { ...res, rssBeforeKb: before, rssAfterKb: after, kbPerWs: res.ready > 0 ? (after - before) / res.ready : null }
}

async function l4Figures (kind, opts = {}) {
  const px = await startProxy(kind, 'tcp', bports, dir, opts)
  children.push(px.proc)
  const pid = px.proc.pid
  await sleep(300)
  const ka = await cpuDuring(pid, () => wrk(px.port, { secs }))
  const close = await cpuDuring(pid, () => wrk(px.port, { secs, close: true }))
  const big = await cpuDuring(pid, () => wrk(px.port, { secs, conns: 10, path: '/big' }))
  const out = {
    kaPerCoreSec: ka.r.requests / ka.cpu, keepalive: ka.r,
    closePerCoreSec: close.r.requests / close.cpu, close: close.r,
    bigMBPerCoreSec: big.r.requests * 65536 / 1048576 / big.cpu, big: big.r,
    rssAfterLoadKb: rssKb(pid)
  }
  await stop(px.proc)
  return out
}

/** The highest rate a quarter core holds: wrk's Connection: close rate and a 1000/s run */
async function quotaFigures (kind, opts = {}) {
  const px = await startProxy(kind, 'http', bports, dir, opts)
  children.push(px.proc)
  const cap = capCpu(px.proc.pid, quota)
  if (cap.unavailable) { await stop(px.proc); return { unavailable: cap.unavailable } }
  try {
    await sleep(300)
    const close = await wrk(px.port, { secs, close: true })
    const at1k = await rate(px.port, 1000, rateSecs)
    return { cgroup: cap.kind, quotaPct: quota, closeRps: close.rps, closeErrors: close.errors, at1k }
  } finally { await stop(px.proc); cap.release() }
}

async function sustained (secsTotal) {
  // its value starts with '--': taken as it is
  const nf = argv.indexOf('--node-flags')
  const nodeFlags = nf >= 0 && argv[nf + 1] !== undefined ? argv[nf + 1].split(/\s+/).filter(Boolean) : null
  const kind = opt('--proxy', 'pocketlb')
  const px = await startProxy(kind, 'http', bports, dir, { profile: 'pocket', nodeFlags })
  children.push(px.proc)
  const cap = quota > 0 ? capCpu(px.proc.pid, quota) : null
  try {
    await sleep(300)
    let maxRss = 0
    const sampler = setInterval(() => { maxRss = Math.max(maxRss, rssKb(px.proc.pid)) }, 1000)
    const r = await cpuDuring(px.proc.pid, () => rate(px.port, Number(opt('--rate', 1000)), secsTotal))
    clearInterval(sampler)
    return { proxy: kind, profile: 'pocket', nodeFlags, quota: cap?.kind ? quota : null, quotaUnavailable: cap?.unavailable ?? null, secs: secsTotal, ...r.r, cpuPct: 100 * r.cpu / r.wall, maxRssKb: maxRss, rssEndKb: rssKb(px.proc.pid) }
  } finally { await stop(px.proc); cap?.release?.() }
}

const results = { date: new Date().toISOString(), quick, wsCount, secs, rateSecs, node: process.version }
try {
  if (sustain) {
    results.sustain = await sustained(sustain === true ? 60 : Number(sustain))
  } else {
    if (part('l7')) {
      results.l7 = {}
      // node-pipe: Node's floor (bytes piped, nothing parsed) beside them
      for (const kind of ['haproxy', 'haproxy-reuse', 'pocketlb', 'node-pipe']) results.l7[kind] = await l7Figures(kind)
    }
    if (part('ws')) {
      results.ws = {
        haproxy: await wsFigure('haproxy'),
        // the pocket profile caps maxconn below 9000 (seed 003's rule, and its 48 MiB
        // V8 heap holds ~5000 idle websockets): this figure runs with the lab limits
        pocketlb: await wsFigure('pocketlb', { profile: 'lab' }),
        'node-pipe': await wsFigure('node-pipe')
      }
    }
    if (part('l4')) results.l4 = { haproxy: await l4Figures('haproxy'), pocketlb: await l4Figures('pocketlb') }
    if (quota > 0) results.quota = { haproxy: await quotaFigures('haproxy'), pocketlb: await quotaFigures('pocketlb') }
  }
} finally {
  for (const c of [...children, ...backends]) await stop(c)
  rmSync(dir, { recursive: true, force: true })
}

mkdirSync(join(root, 'bench-results'), { recursive: true })
const file = join(root, 'bench-results', `${results.date.replace(/[:.]/g, '-')}.json`)
writeFileSync(file, JSON.stringify(results, null, 2) + '\n')
const { printResults } = await import('./lib/print.mjs')
printResults(results)
console.log(`\nresults written to ${file}`)
