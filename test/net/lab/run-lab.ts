// Driving `npm run lab` from the lab tests: the command under the test's own prefix, who
// answered through the VIP, and what a lab may have left behind after `down`.
import { spawnSync } from 'node:child_process'
import { readFileSync } from 'node:fs'
import type { Service } from '../../../scripts/lab/services.ts'
import { clientGet } from '../../../scripts/lab/status.ts'
import type { Topology } from '../../../scripts/lab/topology.ts'
import { sleep } from '../../helpers/wait.ts'

const MAIN = new URL('../../../scripts/lab/main.ts', import.meta.url).pathname

/** `npm run lab -- <args>` with <env> (PLB_LAB_PREFIX …), bounded by <timeoutMs>. */
export function labCommand (env: Record<string, string>, timeoutMs: number, ...args: string[]): { code: number | null; out: string } {
  const r = spawnSync(process.execPath, ['--import', 'tsx', MAIN, ...args], { encoding: 'utf8', timeout: timeoutMs, env: { ...process.env, ...env } })
  return { code: r.status, out: r.stdout + r.stderr }
}

/** Which lb answered <body> (the webs echo the proxy's address on the backend side). */
export const answeredBy = (body: string | null): string | null =>
  body === null ? null : /via (?:::ffff:)?10\.77\.1\.(\d+)/.exec(body)?.[1] === '11' ? 'lb1' : 'lb2'

/** Requests every 200 ms until <lb> answers or <ms> pass; returns the ms it took, or -1. */
export async function answeredWithin (t: Topology, lb: string, ms: number): Promise<number> {
  const t0 = performance.now()
  while (performance.now() - t0 < ms) {
    if (answeredBy(clientGet(t, 1)) === lb) return performance.now() - t0
    await sleep(200)
  }
  return -1
}

/** What is left of lab <prefix>: namespaces, host links named after it, and recorded PIDs
 *  still running the command the lab gave them (a recycled PID runs something else). */
export function leftovers (prefix: string, services: readonly Service[], hostLink: RegExp): { namespaces: string[]; links: boolean; alive: string[] } {
  const namespaces = spawnSync('ip', ['netns', 'list'], { encoding: 'utf8' }).stdout.split('\n').filter(l => l.startsWith(`${prefix}-`))
  const links = hostLink.test(spawnSync('ip', ['-o', 'link', 'show'], { encoding: 'utf8' }).stdout)
  const alive = services.filter(svc => {
    try { return readFileSync(`/proc/${svc.pid}/cmdline`, 'utf8') === svc.argv.join('\0') + '\0' } catch { return false }
  }).map(svc => `${svc.name} ${svc.pid}`)
  return { namespaces, links, alive }
}
