// A CPU quota for one process, in a cgroup this benchmark creates and removes:
// cgroup v2 cpu.max when the unified hierarchy has the cpu controller, else
// cgroup v1 cpu.cfs_quota_us. Returns null (with the reason) when neither is writable.
import { existsSync, mkdirSync, readFileSync, rmdirSync, writeFileSync } from 'node:fs'

const PERIOD_US = 100000

/** Caps <pid> at <percent> of one core. { release(), kind } or { unavailable: reason }. */
export function capCpu (pid, percent) {
  const name = `plb-bench-${process.pid}`
  const quota = String(Math.round(PERIOD_US * percent / 100))
  const v2 = '/sys/fs/cgroup'
  const candidates = []
  if (existsSync(`${v2}/cgroup.controllers`) && readFileSync(`${v2}/cgroup.controllers`, 'utf8').split(/\s+/).includes('cpu')) {
    candidates.push({ kind: 'cgroup v2 cpu.max', dir: `${v2}/${name}`, write: d => writeFileSync(`${d}/cpu.max`, `${quota} ${PERIOD_US}`) })
  }
  if (existsSync('/sys/fs/cgroup/cpu/cpu.cfs_quota_us')) {
    candidates.push({ kind: 'cgroup v1 cpu.cfs_quota_us', dir: `/sys/fs/cgroup/cpu/${name}`, write: d => { writeFileSync(`${d}/cpu.cfs_period_us`, String(PERIOD_US)); writeFileSync(`${d}/cpu.cfs_quota_us`, quota) } })
  }
  const reasons = []
  for (const c of candidates) {
    try {
      mkdirSync(c.dir)
      try {
        c.write(c.dir)
        writeFileSync(`${c.dir}/cgroup.procs`, String(pid))
      } catch (e) { rmdirSync(c.dir); throw e }
      return {
        kind: c.kind,
        // the process must have left (killed) before its cgroup can be removed
        release: () => { try { rmdirSync(c.dir) } catch (e) { process.stderr.write(`could not remove ${c.dir}: ${e.message}\n`) } }
      }
    } catch (e) { reasons.push(`${c.kind}: ${e.message}`) }
  }
  return { unavailable: reasons.length ? reasons.join('; ') : 'no cgroup cpu controller' }
}
