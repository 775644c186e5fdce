/** VRRP beside the proxy: `pocketlb -f haproxy.cfg --vrrp keepalived.conf`.
 *  The engine runs in its child process (startVrrp); this side feeds it the
 *  proxy's health (track_pocketlb) and exposes its state to `show vrrp`. */
import type { Plan } from '../config/plan.ts'
import type { LoadResult } from '../config/load.ts'
import { consoleAlert, consoleWarning } from '../log/logger.ts'
import type { Engine } from '../proxy/engine.ts'
import { loadKeepalivedFiles, type KeepalivedLoad } from '../config/keepalived/compile.ts'
import { attachVrrpStatus } from '../runtime/vrrp-commands.ts'
import { attachL4Status } from '../runtime/l4-commands.ts'
import { L4Service } from '../l4/service.ts'
import type { L4ServiceStatus } from '../l4/status.ts'
import { ENGINE_CHILD_ARG, startVrrp, type StartVrrpOpts, type VrrpHandle } from './main.ts'
import { engineProbe, watchProxy, type ProxyWatch } from './proxy-tracks.ts'
import { SIMULATED_FAILURE_TRACK, trackedBackend, type VrrpPlan, type VrrpTransition } from './types.ts'
import { applyKeepalived, withKernelCheck } from './reload.ts'

export { ENGINE_CHILD_ARG } from './main.ts'

/** Takes every `--vrrp <file>` out of the command line <argv> (the rest is
 *  HAProxy's options); returns an error message when a file name is missing. */
export function takeVrrpArgs (argv: readonly string[]): { argv: string[]; vrrpFiles: string[] } | string {
  const rest: string[] = []; const vrrpFiles: string[] = []
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] !== '--vrrp') { rest.push(argv[i]!); continue }
    const f = argv[++i]
    if (f === undefined) return '--vrrp requires a keepalived configuration file'
    vrrpFiles.push(f)
  }
  return { argv: rest, vrrpFiles }
}

/** Loads keepalived files <files> and checks that every `track_pocketlb { backend <name> }`
 *  names a backend (or listen section) of the proxy configuration <proxy>. */
export function loadApplianceVrrp (files: string[], proxy: Plan): KeepalivedLoad {
  const r = loadKeepalivedFiles(files)
  if (!r.ok) return r
  const alerts: string[] = []
  for (const i of r.plan.instances) {
    for (const t of i.trackPocketlb) {
      const be = trackedBackend(t.name)
      if (be !== null && !proxy.backends.has(be)) {
        alerts.push(`${i.where.file}:${i.where.line}: (${i.name}) track_pocketlb: backend '${be}' not found in the proxy configuration`)
      }
    }
  }
  return alerts.length ? { ok: false, alerts, warnings: r.warnings } : r
}

/** The CLI's step after loading the proxy configuration <proxy>: loads and
 *  reports <files> (nothing to do without --vrrp, or when <proxy> failed). */
export function loadVrrpBeside (files: string[], proxy: LoadResult, quiet: boolean): KeepalivedLoad | null {
  if (!files.length || !proxy.ok) return null
  const r = loadApplianceVrrp(files, proxy.plan)
  if (!quiet) for (const w of r.warnings) consoleWarning(w)
  if (!r.ok) for (const a of r.alerts) consoleAlert(a)
  return r
}

/** The engine child's entry: under tsx the default engine-child.ts; in the
 *  one-file bundle the bundle itself, told by its first argument. */
function childEntry (): StartVrrpOpts {
  return import.meta.url.endsWith('.ts') ? {} : { childUrl: new URL(import.meta.url), childArgs: [ENGINE_CHILD_ARG] }
}

export interface ApplianceVrrp {
  readonly handle: VrrpHandle
  /** The keepalived plan in service */
  readonly plan: VrrpPlan
  /** Re-reads the proxy's health at once (after a reload); the track_pocketlb
   *  conditions of a reloaded keepalived plan are watched from here on, so that
   *  they are judged on the reloaded proxy, not the one before it. */
  proxyChanged (): void
  /** Moves the virtual_servers and the VRRP instances to the reloaded <plan>
   *  (reload.ts applyKeepalived); rejects when refused, nothing changed. */
  reload (plan: VrrpPlan): Promise<void>
  /** Masters hand over (priority 0) and drop their VIPs; call before stopping the proxy. */
  stop (): Promise<void>
}

/** Starts the VRRP engine for <plan> beside <engine>; transitions and engine messages go to <log>. */
export async function startApplianceVrrp (plan: VrrpPlan, engine: Engine, log: (msg: string) => void): Promise<ApplianceVrrp> {
  const l4 = await startL4(plan, engine, log)
  const early = new EarlyTransitions()
  const handle = early.replayedBy(await startVrrp(plan, { ...childEntry(), log, onTransition: t => early.add(t) }))
  const watchPlan = (p: VrrpPlan): ProxyWatch => watchProxy(p, engineProbe(engine), (name, ok) => handle.track(name, ok))
  let watch = watchPlan(plan)
  let watched = plan
  let running = plan
  const detach = attachVrrpStatus(engine, () => handle.state(), on => handle.track(SIMULATED_FAILURE_TRACK, !on))
  return {
    handle,
    get plan () { return running },
    proxyChanged: () => {
      if (watched === running) { watch.check(); return }
      watch.stop()
      watch = watchPlan(running)
      watched = running
    },
    reload: async next => {
      await applyKeepalived(running, next, l4.service, p => handle.reload(p))
      running = next
      await l4.refresh()   // `show l4` lists the reloaded services at once
    },
    stop: async () => { watch.stop(); detach(); await handle.stop(); await l4.stop() }
  }
}

/** The CLI's reload step for --vrrp files <files>, beside the reloaded proxy
 *  configuration <proxy>: loaded, checked as `-c` does (nftables dry run
 *  included) and reported. */
export async function reloadVrrpBeside (files: string[], proxy: Plan, quiet: boolean): Promise<KeepalivedLoad> {
  const r = await withKernelCheck(loadApplianceVrrp(files, proxy))
  if (!quiet) for (const w of r.warnings) consoleWarning(w)
  if (!r.ok) for (const a of r.alerts) consoleAlert(a)
  return r
}

/** Transitions kept for a late listener: the web UI starts after VRRP, and its
 *  timeline would otherwise miss the first ones (INIT → BACKUP → MASTER at boot). */
const EARLY_TRANSITIONS = 32

/** The newest EARLY_TRANSITIONS transitions, replayed to each listener that comes later. */
class EarlyTransitions {
  private readonly seen: VrrpTransition[] = []

  add (t: VrrpTransition): void {
    this.seen.push(t)
    if (this.seen.length > EARLY_TRANSITIONS) this.seen.shift()
  }

  /** <handle> whose transition listeners first get the transitions already seen. */
  replayedBy (handle: VrrpHandle): VrrpHandle {
    const seen = this.seen
    function on (...[ev, cb]: ['transition', (tr: VrrpTransition) => void] | ['log', (msg: string) => void]): void {
      if (ev === 'log') { handle.on('log', cb); return }
      for (const t of seen) cb(t)
      handle.on('transition', cb)
    }
    return { state: () => handle.state(), track: (name, ok) => handle.track(name, ok), reload: plan => handle.reload(plan), stop: () => handle.stop(), on }
  }
}

/** How often `show l4`'s snapshot of nft counters and check states is refreshed. */
const L4_STATUS_MS = 2000

/** The plan's `virtual_server`s programmed in the kernel beside the proxy (as
 *  `pocketlb vrrp` does alone; none = no table until a reload adds some), their
 *  status shown by `show l4`. */
async function startL4 (plan: VrrpPlan, engine: Engine, log: (msg: string) => void): Promise<{ service: L4Service; refresh: () => Promise<void>; stop: () => Promise<void> }> {
  const service = new L4Service(plan.virtualServers ?? [], { log })
  await service.start()
  let snapshot: readonly L4ServiceStatus[] = await service.status()
  const refresh = (): Promise<void> => service.status().then(s => { snapshot = s }, () => {})
  const timer = setInterval(() => { void refresh() }, L4_STATUS_MS)
  timer.unref()
  const detach = attachL4Status(engine, () => snapshot)
  return { service, refresh, stop: async () => { clearInterval(timer); detach(); await service.stop() } }
}
