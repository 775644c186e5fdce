/** The lab's processes: each runs inside its node's namespace, detached from the
 *  `npm run lab` that started it, its output in <dir>/<name>.log, its PID in the
 *  state file so that later commands (status, fail, restore, down) find it. */
import { spawn, spawnSync } from 'node:child_process'
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

export const ROOT = new URL('../..', import.meta.url).pathname

export interface Service {
  /** lb1-proxy, lb1-vrrp, web2 ... */
  readonly name: string
  /** Short name of the node it runs on ("host" for the UI forwarders on the host) */
  readonly node: string
  /** Its namespace, "" for the host's */
  readonly ns: string
  readonly argv: readonly string[]
  /** Added to the lab command's environment */
  readonly env?: Readonly<Record<string, string>>
  pid: number
}

export interface LabState {
  readonly prefix: string
  readonly dir: string
  readonly advert: number
  /** Whether the proxies were started with the web UI (`--ui`) */
  readonly ui: boolean
  /** Host loopback port forwarded to each lb's UI, in t.lbs order (empty without UI) */
  readonly uiHostPorts: readonly number[]
  /** The lbs are the image booted under QEMU (vm.ts), not namespaces */
  readonly vm: boolean
  readonly services: Service[]
}

/** Where lab <prefix> keeps its state: /run/pocketlb-lab/<prefix> (or under the temp dir). */
export function stateDir (prefix: string): string {
  for (const base of ['/run/pocketlb-lab', join(tmpdir(), 'pocketlb-lab')]) {
    try { mkdirSync(base, { recursive: true }); return join(base, prefix) } catch { /* not writable: next */ }
  }
  throw new Error('no writable directory for the lab state')
}

const stateFile = (dir: string): string => join(dir, 'state.json')

export function loadState (prefix: string): LabState | null {
  const file = stateFile(stateDir(prefix))
  return existsSync(file) ? JSON.parse(readFileSync(file, 'utf8')) as LabState : null
}

export function saveState (s: LabState): void {
  mkdirSync(s.dir, { recursive: true })
  writeFileSync(stateFile(s.dir), JSON.stringify(s, null, 2) + '\n')
}

export function removeState (s: LabState): void {
  rmSync(s.dir, { recursive: true, force: true })
}

/** `node --import tsx <file>`: the lab runs pocketlb from the sources. */
export function tsxCommand (file: string, ...args: string[]): string[] {
  return [process.execPath, '--import', 'tsx', join(ROOT, file), ...args]
}

export const logFile = (s: LabState, svc: Service): string => join(s.dir, `${svc.name}.log`)

/** Starts <svc> in its namespace; `ip netns exec` execs the command, so the
 *  recorded PID is the service itself. */
export function startService (s: LabState, svc: Service): void {
  const fd = openSync(logFile(s, svc), 'a')
  const [cmd, ...args] = svc.ns === '' ? svc.argv : ['ip', 'netns', 'exec', svc.ns, ...svc.argv]
  const child = spawn(cmd!, args, { cwd: ROOT, env: { ...process.env, ...svc.env }, detached: true, stdio: ['ignore', fd, fd] })
  closeSync(fd)
  child.unref()
  svc.pid = child.pid ?? 0
}

/** True when <svc>'s recorded PID is a live process inside its namespace (a
 *  recycled PID elsewhere is not ours). */
export function serviceAlive (svc: Service): boolean {
  if (svc.pid <= 0) return false
  let stat: string
  try { stat = readFileSync(`/proc/${svc.pid}/stat`, 'utf8') } catch { return false }
  if (/\) [ZX] /.test(stat)) return false
  const r = spawnSync('ip', ['netns', 'identify', String(svc.pid)], { encoding: 'utf8', timeout: 5000 })
  return r.stdout.trim() === svc.ns
}

const sleep = (ms: number): Promise<void> => new Promise(resolve => setTimeout(resolve, ms))

async function waitGone (svc: Service, ms: number): Promise<boolean> {
  const end = Date.now() + ms
  while (Date.now() < end && serviceAlive(svc)) await sleep(50)
  return !serviceAlive(svc)
}

/** Sends <signal> to <svc> if it is alive and waits for its end; after 3 s, SIGKILL. */
export async function stopService (svc: Service, signal: 'SIGTERM' | 'SIGKILL'): Promise<void> {
  if (!serviceAlive(svc)) return
  try { process.kill(svc.pid, signal) } catch { return }
  if (await waitGone(svc, 3000)) return
  try { process.kill(svc.pid, 'SIGKILL') } catch { return }
  await waitGone(svc, 1000)
}
