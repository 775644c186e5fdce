// Process helpers for the benchmarks: pinned children, exact CPU time, RSS.
import { spawn } from 'node:child_process'
import { readFileSync, readdirSync } from 'node:fs'
import { createServer, connect } from 'node:net'

export const PROXY_CORE = 0
export const LOAD_CORE = 1
/** file descriptors for the websocket test (9000 idle websockets = 18000 sockets in the proxy) */
export const NOFILE = 40000

export function freePort () {
  return new Promise(resolve => { const s = createServer(); s.listen(0, '127.0.0.1', () => { const p = s.address().port; s.close(() => resolve(p)) }) })
}

export async function waitPort (port, ms = 10000) {
  const end = Date.now() + ms
  while (Date.now() < end) {
    const ok = await new Promise(r => { const s = connect(port, '127.0.0.1'); s.on('connect', () => { s.destroy(); r(true) }); s.on('error', () => r(false)) })
    if (ok) return
    await new Promise(r => setTimeout(r, 50))
  }
  throw new Error('nothing listens on ' + port)
}

/** Nanoseconds on CPU of every thread of <pid> (schedstat is exact; stat's ticks alias). */
export function cpuNs (pid) {
  let ns = 0
  for (const t of readdirSync(`/proc/${pid}/task`)) {
    try { ns += Number(readFileSync(`/proc/${pid}/task/${t}/schedstat`, 'utf8').split(' ')[0]) } catch { /* thread ended */ }
  }
  return ns
}

export function rssKb (pid) {
  const m = /VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))
  return m ? Number(m[1]) : 0
}

/** <cmd> <args> pinned to <core>, with a raised file-descriptor limit.
 *  The shell execs, so the child's pid is the program's. */
export function startPinned (core, cmd, args, opts = {}) {
  const quoted = [cmd, ...args].map(a => `'${String(a).replace(/'/g, "'\\''")}'`).join(' ')
  return spawn('sh', ['-c', `ulimit -n ${NOFILE} 2>/dev/null; exec taskset -c ${core} ${quoted}`], { stdio: opts.stdio ?? 'ignore', env: { ...process.env, ...opts.env } })
}

export function stop (p) {
  if (p.exitCode !== null || p.signalCode !== null) return Promise.resolve()
  return new Promise(resolve => { p.once('exit', resolve); p.kill('SIGKILL') })
}

/** Output of a child that prints one JSON line at its end. */
export function runJson (core, script, args, timeoutMs) {
  const p = startPinned(core, process.execPath, [script, ...args], { stdio: ['ignore', 'pipe', 'inherit'] })
  let out = ''
  p.stdout.on('data', d => { out += d })
  const timer = setTimeout(() => p.kill('SIGKILL'), timeoutMs)
  return new Promise(resolve => p.on('exit', () => {
    clearTimeout(timer)
    try { resolve(JSON.parse(out.trim().split('\n').pop())) } catch { resolve({ error: 'no result: ' + out.slice(0, 200) }) }
  }))
}
