import { readdirSync, readFileSync, statSync, writeFileSync, unlinkSync, mkdirSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { tmpdir } from 'node:os'
import { spawn } from 'node:child_process'
import { loadConfigFiles, loadConfigSources, type LoadResult } from './config/load.ts'
import { evalCondition } from './config/preprocess.ts'
import { Engine } from './proxy/engine.ts'
import { startStatsSockets } from './runtime/stats-socket.ts'
import { demoConfig } from './demo/demo-config.ts'
import { ensureSelfSigned } from './tls/self-signed.ts'
import { startDemoBackends } from './demo/demo-backends.ts'
import { VERSION, FEATURES, versionText } from './version.ts'
import { consoleAlert, consoleNotice, consoleWarning } from './log/logger.ts'
import { ENGINE_CHILD_ARG, loadVrrpBeside, reloadVrrpBeside, startApplianceVrrp, takeVrrpArgs } from './vrrp/appliance.ts'
import { simulatedFailureKept } from './store/settings.ts'
import { SIMULATED_FAILURE_TRACK } from './vrrp/types.ts'
import { defaultTuneOpts, takeTuneOption, type TuneOpts } from './tuning/tune-cli.ts'
import { computeLimits } from './tuning/limits.ts'
import { currentInputs } from './tuning/inputs.ts'
import { fitLoaded } from './tuning/fit-plan.ts'
import { startObserve, takeObserveArgs } from './observe/appliance.ts'
import { checkL4Kernel } from './l4/kernel-check.ts'

/** `pocketlb` command line, a drop-in for `haproxy` where it matters:
 *    pocketlb -f cfg [-f cfg2|dir] [-c] [-d|-db] [-D] [-p pidfile] [-v|-vv] [-cc expr]
 *    pocketlb --demo            embedded config + two demo backends (+ web UI on 127.0.0.1:9000)
 *    pocketlb ... --ui <addr:port> [--store <db>]   web UI and its store in a worker thread
 *    pocketlb -f cfg --vrrp keepalived.conf      (proxy and VRRP beside it)
 *    pocketlb -f cfg --observe <pc-if>,<lan-if> [--observe-ports 80,8080] [--observe-body 64k]  (docs/observe.md)
 *    pocketlb vrrp -f keepalived.conf [-n] [-c]   (VRRP engine alone) */
interface CliOpts {
  files: string[]
  check: boolean
  debug: boolean
  daemon: boolean
  pidfile: string | null
  demo: boolean
  quiet: boolean
  tune: TuneOpts
  /** web UI address ("127.0.0.1:9000"), null = no UI */
  ui: string | null
  /** serve the UI over HTTPS with the self-signed certificate kept beside the store */
  uiTls: boolean
  store: string | null
}

const USAGE = `Usage : pocketlb [-f <cfgfile|cfgdir>]* [ -vdVD ] [ -c ] [ -p <pidfile> ] [ -cc <expr> ]
        pocketlb --demo
        --ui <addr:port> starts the web UI there (--ui-tls: over HTTPS) ; --store <file> is its database.
        pocketlb -f <cfgfile> --vrrp <keepalived.conf> : VRRP beside the proxy (-c checks both)
        pocketlb vrrp -f <keepalived.conf> [-n] [-c]
        --observe <pc-if>,<lan-if> bridges the two ports, observe mode switched in the web UI
          [--observe-ports 80,8080] [--observe-tls-ports 443] [--observe-body 64k] [--observe-on]
        pocketlb export -f <keepalived.conf>
        pocketlb tune [--profile <p>] [--board <file>] [--json]
        --profile pocket|pocket-battery|lab|auto : limits from the machine (default auto)
        -v displays version ; -vv shows known build options.
        -d enters debug mode ; -db only disables background mode.
        -D goes daemon ; -c checks the configuration and exits.
        -p writes pids of all children to this file
        -q quiet mode : don't display messages
        -cc evaluates a condition as used within a conditional block
`

function parseArgs (argv: string[]): CliOpts | number {
  const o: CliOpts = { files: [], check: false, debug: false, daemon: false, pidfile: null, demo: false, quiet: false, tune: defaultTuneOpts(), ui: null, uiTls: false, store: null }
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]
    switch (a) {
      case '-f': if (argv[i + 1] === undefined) { consoleAlert('-f requires a file name'); return 1 } o.files.push(argv[++i]); break
      case '-c': o.check = true; break
      case '-d': case '-db': o.debug = true; break
      case '-D': o.daemon = true; break
      case '-p': o.pidfile = argv[++i] ?? null; break
      case '-q': o.quiet = true; break
      case '--demo': o.demo = true; break
      case '--ui': if (argv[i + 1] === undefined) { consoleAlert('--ui requires <addr:port>'); return 1 } o.ui = argv[++i]; break
      case '--ui-tls': o.uiTls = true; break
      case '--store': if (argv[i + 1] === undefined) { consoleAlert('--store requires a file name'); return 1 } o.store = argv[++i]; break
      case '-v': case '-V': process.stdout.write(versionText(false)); return 0
      case '-vv': process.stdout.write(versionText(true)); return 0
      case '-cc': {
        const r = evalCondition(argv[++i] ?? '', name => process.env[name] !== undefined)
        if (typeof r === 'object') { consoleAlert(`failed to evaluate condition: ${r.error}`); return 2 }
        return r ? 0 : 1
      }
      case '-h': case '--help': process.stdout.write(USAGE); return 0
      default:
        if (a.startsWith('-f') && a.length > 2) { o.files.push(a.slice(2)); break }
        try {
          const j = takeTuneOption(argv, i, o.tune)
          if (j >= 0) { i = j; break }
        } catch (e) { consoleAlert((e as Error).message); return 1 }
        consoleAlert(`unknown option '${a}'`)
        process.stderr.write(USAGE)
        return 1
    }
  }
  if (o.files.length === 0 && !o.demo) { process.stderr.write(USAGE); return 1 }
  return o
}

/** HAProxy loads every *.cfg file of a directory given to -f, in name order. */
function expandFiles (paths: string[]): string[] {
  const out: string[] = []
  for (const p of paths) {
    let isDir = false
    try { isDir = statSync(p).isDirectory() } catch { /* reported by the loader */ }
    if (isDir) for (const f of readdirSync(p).filter(n => n.endsWith('.cfg')).sort()) out.push(join(p, f))
    else out.push(p)
  }
  return out
}

/** "127.0.0.1:9000", "[::1]:9000", ":9000" (every address: only when asked for) */
function parseUiAddress (s: string): { host: string; port: number } | null {
  const m = /^(?:\[([^\]]+)\]|([^:]*)):(\d+)$/.exec(s)
  if (m === null || Number(m[3]) > 65535) return null
  return { host: m[1] ?? (m[2] === '' ? '0.0.0.0' : m[2]), port: Number(m[3]) }
}

function report (r: LoadResult, quiet: boolean): void {
  if (!quiet) for (const w of r.warnings) consoleWarning(w)
  if (!r.ok) for (const a of r.alerts) consoleAlert(a)
}

function demoPorts (): { port: number; base: number } {
  return { port: Number(process.env.PLB_DEMO_PORT ?? 8080), base: Number(process.env.PLB_DEMO_BACKEND_PORT ?? 8081) }
}

function load (o: CliOpts): LoadResult {
  if (o.demo) {
    const { port, base } = demoPorts()
    return loadConfigSources([{ path: '<demo>', text: demoConfig(port, base) }])
  }
  return loadConfigFiles(expandFiles(o.files))
}

/** `pocketlb export -f keepalived.conf [-f ...]`: prints the equivalent
 *  keepalived.conf (the path for users who outgrow the pocket). */
async function exportKeepalivedCli (argv: string[]): Promise<number> {
  const files: string[] = []
  for (let i = 0; i < argv.length; i++) if (argv[i] === '-f' && argv[i + 1] !== undefined) files.push(argv[++i])
  if (files.length === 0) { process.stderr.write('Usage : pocketlb export -f <keepalived.conf> [-f ...]\n'); return 1 }
  const { loadKeepalivedFiles, exportKeepalived } = await import('./vrrp/main.ts')
  const r = loadKeepalivedFiles(files)
  for (const w of r.warnings) consoleWarning(w)
  if (!r.ok) { for (const a of r.alerts) consoleAlert(a); return 1 }
  process.stdout.write(exportKeepalived(r.plan))
  return 0
}

export async function main (argv: string[]): Promise<number> {
  if (argv[0] === 'vrrp') {
    const { runVrrpCli } = await import('./vrrp/main.ts')
    return runVrrpCli(argv.slice(1))
  }
  if (argv[0] === ENGINE_CHILD_ARG) { await import('./vrrp/engine-child.ts'); return new Promise<number>(() => {}) }
  if (argv[0] === 'export') return exportKeepalivedCli(argv.slice(1))
  if (argv[0] === 'tune') return (await import('./tuning/tune-cli.ts')).tuneCli(argv.slice(1))
  const vx = takeVrrpArgs(argv)
  if (typeof vx === 'string') { consoleAlert(vx); return 1 }
  const ox = takeObserveArgs(vx.argv)
  if (typeof ox === 'string') { consoleAlert(ox); return 1 }
  const o = parseArgs(ox.argv)
  if (typeof o === 'number') return o
  const demo = o.demo
  if (demo && o.ui === null) o.ui = '127.0.0.1:9000'
  const stateDir = process.env.PLB_STATE_DIR ?? (demo ? join(tmpdir(), `pocketlb-demo-${process.getuid?.() ?? 0}`) : '.')
  if (demo && !o.check) {
    // the UI edits a file: the demo's embedded config is written into the state directory
    const { port, base } = demoPorts()
    mkdirSync(stateDir, { recursive: true })
    o.files = [join(stateDir, 'pocketlb.cfg')]
    writeFileSync(o.files[0], demoConfig(port, base, { port: Number(process.env.PLB_DEMO_HTTPS_PORT ?? 8443), pem: ensureSelfSigned(stateDir) }))
    o.demo = false
  }
  const files = expandFiles(o.files)
  let limits, tuningInputs
  try { tuningInputs = await currentInputs(o.tune.board); limits = computeLimits(o.tune.profile, tuningInputs) } catch (e) { consoleAlert((e as Error).message); return 1 }
  const first = fitLoaded(load(o), limits)
  report(first, o.quiet)
  const vrrpLoad = loadVrrpBeside(vx.vrrpFiles, first, o.quiet)
  if (vrrpLoad?.ok === false) { consoleAlert('Fatal errors found in configuration.'); return 1 }
  if (o.check) {
    if (!first.ok) {
      consoleAlert(`Fatal errors found in configuration.`)
      return 1
    }
    // --vrrp's virtual_servers: what the kernel's nftables refuses is an error too (dry run)
    const kernel = vrrpLoad?.ok ? await checkL4Kernel(vrrpLoad.plan.virtualServers ?? []) : null
    if (!o.quiet) for (const w of kernel?.warnings ?? []) consoleWarning(w)
    for (const a of kernel?.alerts ?? []) consoleAlert(a)
    if (kernel?.alerts.length) { consoleAlert('Fatal errors found in configuration.'); return 1 }
    if (!o.quiet) process.stdout.write('Configuration file is valid\n')
    return 0
  }
  if (!first.ok) { consoleAlert('Fatal errors found in configuration.'); return 1 }

  if (o.daemon) {
    // WHY: Node cannot fork(); a detached child running the same command in the foreground is the daemon
    const args = process.argv.slice(1).filter(a => a !== '-D')
    const child = spawn(process.execPath, [...process.execArgv, ...args], { detached: true, stdio: 'ignore' })
    child.unref()
    if (o.pidfile !== null) writeFileSync(o.pidfile, `${child.pid}\n`)
    return 0
  }

  if (demo) {
    const { port, base } = demoPorts()
    await startDemoBackends(base)
    consoleNotice(`demo backends web1 and web2 listening on 127.0.0.1:${base} and 127.0.0.1:${base + 1}`)
    consoleNotice(`pocketlb demo is up: open http://127.0.0.1:${port}/ in a browser (or curl it twice)`)
  }

  const engine = new Engine()
  try {
    await engine.apply(first.plan)
  } catch (e) {
    consoleAlert(`Starting frontend: cannot bind socket (${(e as Error).message})`)
    return 1
  }
  let statsSockets
  try {
    statsSockets = await startStatsSockets(engine, first.plan.global.statsSockets)
  } catch (e) {
    consoleAlert(`Starting proxies: cannot bind the stats socket (${(e as Error).message})`)
    return 1
  }
  const vrrp = vrrpLoad?.ok ? await startApplianceVrrp(vrrpLoad.plan, engine, consoleNotice).catch((e: Error) => e) : null
  if (vrrp instanceof Error) { consoleAlert(`Starting VRRP: ${vrrp.message}`); return 1 }
  const storePath = o.store ?? join(stateDir, 'pocketlb.db')
  // the UI's "simulate failure" demo switch, left on before a restart, is on again at once
  if (vrrp !== null && o.ui !== null && simulatedFailureKept(storePath)) vrrp.handle.track(SIMULATED_FAILURE_TRACK, false)
  const observer = ox.spec === null ? null : await startObserve(ox.spec).catch((e: Error) => e)
  if (observer instanceof Error) { consoleAlert(`Starting observe mode: ${observer.message}`); return 1 }
  const pidfile = o.pidfile ?? first.plan.global.pidfile
  if (pidfile !== null) writeFileSync(pidfile, `${process.pid}\n`)
  if (o.debug) consoleNotice(`pocketlb ${VERSION} started (${FEATURES.length} features), pid ${process.pid}`)

  return new Promise<number>(resolve => {
    let reloading = false
    let uiStop: (() => Promise<void>) | null = null
    const exit = (code: number): void => {
      if (pidfile !== null) { try { unlinkSync(pidfile) } catch { /* gone */ } }
      void (uiStop?.() ?? Promise.resolve()).then(() => observer?.stop()).finally(() => resolve(code))
    }
    const reload = async (): Promise<{ ok: boolean; error?: string }> => {
      if (reloading) return { ok: false, error: 'a reload is in progress' }
      reloading = true
      let result: { ok: boolean; error?: string } = { ok: true }
      const r = fitLoaded(o.demo ? load(o) : loadConfigFiles(files), limits)
      report(r, o.quiet)
      // --vrrp: the keepalived files are re-read too, and the reload is refused as a whole if either has errors
      const k = r.ok && vrrp !== null ? await reloadVrrpBeside(vx.vrrpFiles, r.plan, o.quiet) : null
      if (!r.ok || k?.ok === false) {
        consoleAlert('Reload refused: the configuration has errors; the running configuration stays in service.')
        result = { ok: false, error: (!r.ok ? r.alerts : k?.ok === false ? k.alerts : []).join('\n') }
      } else {
        const vrrpBefore = vrrp?.plan ?? null
        try {
          if (k?.ok) await vrrp?.reload(k.plan)
          await engine.apply(r.plan).catch(async (e: unknown) => {
            if (vrrpBefore !== null) await vrrp?.reload(vrrpBefore).catch(() => {})
            throw e
          })
          await statsSockets.update(r.plan.global.statsSockets).catch((e: Error) =>
            consoleAlert(`Reload: cannot bind the stats socket (${e.message})`))
          vrrp?.proxyChanged()
          consoleNotice('Reloaded configuration.')
        } catch (e) {
          consoleAlert(`Reload refused: ${(e as Error).message}; the running configuration stays in service.`)
          result = { ok: false, error: (e as Error).message }
        }
      }
      reloading = false
      return result
    }
    statsSockets.onReload(reload)
    if (o.ui !== null) {
      const addr = parseUiAddress(o.ui)
      const configPath = files.length === 1 ? files[0] : null
      if (addr === null) consoleAlert(`--ui expects <addr:port>, got '${o.ui}': web UI not started`)
      else {
        void import('./ui/start.ts').then(({ startUi }) => startUi({ ...addr, storePath, tlsPem: o.uiTls ? uiCertificate(storePath) : null, engine, configPath, reload, tuning: limits, tuningInputs, vrrp: vrrp?.handle ?? null, observer })).then(ui => {
          uiStop = ui.stop
          consoleNotice(`web UI on ${o.uiTls ? 'https' : 'http'}://${ui.address}/ (store ${storePath})`)
          if (ui.setupToken !== null) {
            consoleNotice(`first start: open the web UI and set the admin password with the setup token ${ui.setupToken}`)
            // a device without a screen also keeps it in a file (the image: /data/setup-token.txt)
            const tokenFile = process.env.PLB_SETUP_TOKEN_FILE
            if (tokenFile) writeFileSync(tokenFile, ui.setupToken + '\n', { mode: 0o600 })
          }
        }, (e: unknown) => consoleAlert(`web UI not started: ${(e as Error).message}`))
      }
    }
    // Both stops hand the VIPs to the peer first (priority 0 advert), then:
    // SIGUSR1 (soft) stops accepting and lets transactions in flight finish;
    // SIGTERM/SIGINT close every connection now, as HAProxy's hard stop does.
    const softStop = (): void => {
      consoleNotice(`SIGUSR1 received, stopping: no new connections, waiting for ${engine.process.actconn} active.`)
      const hard = first.plan.global.hardStopAfter
      if (hard > 0) setTimeout(() => exit(0), hard).unref()
      void (vrrp?.stop() ?? Promise.resolve()).then(() => engine.softStop()).then(() => exit(0))
    }
    const hardStop = (sig: string): void => {
      consoleNotice(`${sig} received, stopping now: closing ${engine.process.actconn} active connections.`)
      void (vrrp?.stop() ?? Promise.resolve()).then(() => engine.stop()).then(() => exit(0))
    }
    process.on('SIGHUP', () => { void reload() })
    process.on('SIGUSR2', () => { void reload() })
    process.on('SIGUSR1', softStop)
    process.on('SIGTERM', () => hardStop('SIGTERM'))
    process.on('SIGINT', () => hardStop('SIGINT'))
  })
}

/** The UI's certificate: made on first start beside the store, kept after (a browser is
 *  asked to trust it once). Certificate and key in one PEM text. */
function uiCertificate (storePath: string): string {
  return readFileSync(ensureSelfSigned(dirname(storePath), ['pocketlb', 'localhost', '127.0.0.1', '10.42.0.1']), 'latin1')
}
