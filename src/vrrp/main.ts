/** Entry points of the VRRP module:
 *  - startVrrp(plan): the engine in its own child process beside the proxy;
 *  - runVrrpCli(argv): `pocketlb vrrp -f keepalived.conf [-n] [-l] [-D] [-c]`,
 *    the engine alone in the foreground like `keepalived -n -l -f` (SIGHUP re-reads the files);
 *  - exportKeepalived(plan): keepalived.conf text (re-exported). */
import { fork } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { EventEmitter } from 'node:events'
import type { VrrpPlan, VrrpStatus, VrrpTransition } from './types.ts'
import { VrrpEngine } from './engine.ts'
import { loadKeepalivedFiles, type KeepalivedLoad } from '../config/keepalived/compile.ts'
import { L4Service } from '../l4/service.ts'
import { applyKeepalived, withKernelCheck } from './reload.ts'

export { exportKeepalived } from '../config/keepalived/export.ts'
export { loadKeepalivedFiles } from '../config/keepalived/compile.ts'

export type ToEngine = { t: 'plan'; plan: VrrpPlan } | { t: 'reload'; plan: VrrpPlan } | { t: 'track'; name: string; ok: boolean } | { t: 'stop' }
export type FromEngine =
  | { t: 'status'; list: VrrpStatus[] } | { t: 'transition'; tr: VrrpTransition } | { t: 'log'; msg: string }
  | { t: 'started' } | { t: 'stopped' } | { t: 'error'; message: string }
  /** answer to 'reload': <error> when the new plan was refused (nothing changed) */
  | { t: 'reloaded'; error?: string }

export interface VrrpHandle {
  /** Last known state of every instance (refreshed on each transition and every second) */
  state (): VrrpStatus[]
  on (ev: 'transition', cb: (tr: VrrpTransition) => void): void
  on (ev: 'log', cb: (msg: string) => void): void
  /** Tracked condition <name> of `track_pocketlb` (e.g. listeners up, backend has a server) */
  track (name: string, ok: boolean): void
  /** Moves the engine to the reloaded <plan> (VrrpEngine.reload); rejects when it refused it, nothing changed. */
  reload (plan: VrrpPlan): Promise<void>
  /** Masters send priority 0 and drop their VIPs; resolves when the engine process has ended. */
  stop (): Promise<void>
}

const STOP_TIMEOUT_MS = 5000
/** First argument of `pocketlb` that makes the bundle run the engine child (internal) */
export const ENGINE_CHILD_ARG = '__vrrp-engine'

export interface StartVrrpOpts {
  /** Engine child entry; the bundle passes its own file (one-file image), tests keep the default. */
  readonly childUrl?: URL
  /** Arguments of the child entry (the bundle's CLI selects the engine with ENGINE_CHILD_ARG) */
  readonly childArgs?: readonly string[]
  readonly log?: (msg: string) => void
  /** Receives every transition, the ones made while starting included (before the handle exists) */
  readonly onTransition?: (tr: VrrpTransition) => void
}

/** Starts the engine in a child process (see engine-child.ts for why not a
 *  worker thread). A .ts entry (tests, development) runs under tsx; the bundle
 *  passes its own .js entry in <opts.childUrl>. */
export function startVrrp (plan: VrrpPlan, opts: StartVrrpOpts = {}): Promise<VrrpHandle> {
  const url = opts.childUrl ?? new URL('./engine-child.ts', import.meta.url)
  const execArgv = url.pathname.endsWith('.ts') ? ['--import', import.meta.resolve('tsx')] : []
  const child = fork(fileURLToPath(url), [...(opts.childArgs ?? [])], { execArgv, stdio: ['ignore', 'inherit', 'inherit', 'ipc'] })
  const events = new EventEmitter()
  let last: VrrpStatus[] = []
  /** answers awaited by reload(), in order */
  const reloads: ((error: string | undefined) => void)[] = []
  let stopping: Promise<void> | null = null
  const exited = new Promise<void>(resolve => child.once('exit', () => resolve()))
  child.once('exit', () => { for (const answer of reloads.splice(0)) answer('the VRRP engine exited') })
  if (opts.log) events.on('log', opts.log)
  if (opts.onTransition) events.on('transition', opts.onTransition)
  return new Promise((resolve, reject) => {
    const handle: VrrpHandle = {
      state: () => last,
      on: (ev: string, cb: (x: never) => void) => { events.on(ev, cb as (x: unknown) => void) },
      track: (name, ok) => { if (child.connected) child.send({ t: 'track', name, ok } satisfies ToEngine) },
      reload: plan => new Promise((resolve, reject) => {
        if (!child.connected) { reject(new Error('the VRRP engine is not running')); return }
        reloads.push(error => { if (error === undefined) resolve(); else reject(new Error(error)) })
        child.send({ t: 'reload', plan } satisfies ToEngine)
      }),
      stop: () => {
        stopping ??= (async () => {
          if (child.connected) child.send({ t: 'stop' } satisfies ToEngine)
          const timer = setTimeout(() => child.kill('SIGKILL'), STOP_TIMEOUT_MS)
          await exited
          clearTimeout(timer)
        })()
        return stopping
      }
    }
    child.on('message', (m: FromEngine) => {
      switch (m.t) {
        case 'status': last = m.list; break
        case 'transition': events.emit('transition', m.tr); break
        case 'log': events.emit('log', m.msg); break
        case 'started': resolve(handle); break
        case 'reloaded': reloads.shift()?.(m.error); break
        case 'stopped': break
        case 'error': reject(new Error(m.message)); break
      }
    })
    child.once('error', reject)
    child.once('exit', code => reject(new Error(`VRRP engine exited with code ${code}`)))
    child.send({ t: 'plan', plan })
  })
}

const USAGE = 'Usage: pocketlb vrrp -f <keepalived.conf> [-f more.conf] [-n] [-l] [-D] [-c]\n' +
  '  -f  configuration file (keepalived language)  -c  check the configuration and exit\n' +
  '  -n -l -D  accepted for keepalived compatibility (always foreground, logs on stdout)\n'

function stamp (msg: string): string { return `${new Date().toString().slice(0, 24)}: ${msg}` }

/** `pocketlb vrrp`; resolves with the exit code (0 after SIGTERM/SIGINT handled). */
export async function runVrrpCli (argv: string[]): Promise<number> {
  const files: string[] = []; let check = false
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!
    if (a === '-f' || a === '--use-file') { const f = argv[++i]; if (!f) { process.stderr.write(USAGE); return 1 } files.push(f) } else if (a.startsWith('--use-file=')) files.push(a.slice(11))
    else if (a === '-c' || a === '-t' || a === '--config-test') check = true
    else if (a === '-n' || a === '-l' || a === '-D' || a === '--dont-fork' || a === '--log-console' || a === '--log-detail') continue
    else if (a === '-h' || a === '--help') { process.stdout.write(USAGE); return 0 } else { process.stderr.write(`unknown option '${a}'\n${USAGE}`); return 1 }
  }
  if (!files.length) files.push('/etc/keepalived/keepalived.conf')
  const first = loadKeepalivedFiles(files)
  const r = check ? await withKernelCheck(first) : first
  reportLoad(r)
  if (!r.ok) { process.stderr.write('Fatal errors found in configuration.\n'); return 1 }
  if (check) { process.stdout.write('Configuration file is valid\n'); return 0 }
  const log = (msg: string): void => { process.stdout.write(stamp(msg) + '\n') }
  const l4 = new L4Service(r.plan.virtualServers ?? [], { log })
  try { await l4.start() } catch (e) { log(`virtual_server: nftables refused the ruleset, nothing applied: ${(e as Error).message}`); return 1 }
  const engine = new VrrpEngine(r.plan, { log })
  log(`Starting pocketlb VRRP engine, ${r.plan.instances.length} instance(s)`)
  await engine.start()
  let running = r.plan
  // SIGHUP re-reads the files, as keepalived does; a refused configuration leaves the running one
  const reload = async (): Promise<void> => {
    log('Reloading ...')
    const next = await withKernelCheck(loadKeepalivedFiles(files))
    reportLoad(next)
    if (!next.ok) { log('Reload refused: the configuration has errors; the running configuration stays in service.'); return }
    try {
      await applyKeepalived(running, next.plan, l4, plan => engine.reload(plan))
      running = next.plan
      log('Reload complete')
    } catch (e) { log(`Reload refused: ${(e as Error).message}; the running configuration stays in service.`) }
  }
  let reloads = Promise.resolve()
  const onHup = (): void => { reloads = reloads.then(reload).catch((e: Error) => log(`Reload failed: ${e.message}`)) }
  process.on('SIGHUP', onHup)
  // check timers are unref'd: without VRRP sockets, this keeps the runner alive until a signal
  const alive = setInterval(() => {}, 1 << 30)
  return new Promise(resolve => {
    const quit = (sig: string): void => {
      log(`${sig} received, stopping`)
      clearInterval(alive)
      process.off('SIGHUP', onHup)
      void reloads.then(() => engine.stop()).then(() => l4.stop()).then(() => { log('Stopped'); resolve(0) })
    }
    process.once('SIGTERM', () => quit('SIGTERM'))
    process.once('SIGINT', () => quit('SIGINT'))
  })
}

function reportLoad (r: KeepalivedLoad): void {
  for (const w of r.warnings) process.stderr.write(`[WARNING] ${w}\n`)
  if (!r.ok) for (const a of r.alerts) process.stderr.write(`[ALERT] ${a}\n`)
}
