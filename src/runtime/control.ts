import { MessageChannel, type MessagePort } from 'node:worker_threads'
import { writeFileSync, renameSync, readFileSync, openSync, fsyncSync, closeSync } from 'node:fs'
import type { Engine } from '../proxy/engine.ts'
import { loadConfigSources, type LoadResult } from '../config/load.ts'
import type { MapStore } from '../rules/maps.ts'
import { defaultMapStore } from '../rules/maps.ts'
import { Level, type CliSession } from './cli-context.ts'
import { runCommand, splitLine } from './commands.ts'
import { explainRequest, type ExplainRequest, type ExplainResult } from './explain.ts'
import { LogTap, type LogEntry } from './log-tap.ts'
import { takeSnapshot, type Snapshot } from './snapshot.ts'
import type { Limits, TuningInputs } from '../tuning/types.ts'
import type { VrrpTransition } from '../vrrp/types.ts'
import type { VrrpHandle } from '../vrrp/main.ts'
import type { Observer } from '../observe/observer.ts'
import { observeHandlers, observePush, type ObserveOps } from '../observe/control-ops.ts'
import type { CaptureSummary } from '../observe/types.ts'

/** The typed channel between the UI worker and the data plane (main thread).
 *  The worker asks; the main thread answers from the live Engine. Access-log
 *  entries are pushed in bounded batches the worker acknowledges. */

export interface ValidateResult {
  readonly ok: boolean
  /** "parsing [file:line] : ..." as `pocketlb -c` prints them */
  readonly alerts: readonly string[]
  readonly warnings: readonly string[]
}

export interface ApplyResult extends ValidateResult {
  /** the new text is in service (false: the running configuration was kept) */
  readonly applied: boolean
  /** why it was not applied when valid (write or reload error) */
  readonly error?: string
}

export interface RunningConfig {
  /** file apply writes; null when the running config cannot be edited (several -f files) */
  readonly path: string | null
  readonly text: string
}

/** Requests and the type of their answers. */
export interface ControlOps extends ObserveOps {
  command: { req: { line: string }; res: string }
  validate: { req: { text: string }; res: ValidateResult }
  apply: { req: { text: string }; res: ApplyResult }
  explain: { req: ExplainRequest; res: ExplainResult }
  snapshot: { req: Record<string, never>; res: Snapshot }
  config: { req: Record<string, never>; res: RunningConfig }
}
export type ControlOp = keyof ControlOps

type RequestMsg = { [K in ControlOp]: { id: number; op: K; arg: ControlOps[K]['req'] } }[ControlOp]
type AnswerMsg = { id: number; ok: true; value: unknown } | { id: number; ok: false; error: string }
export type PushMsg = { push: 'logs'; entries: LogEntry[]; dropped: number } | { push: 'vrrp'; transition: VrrpTransition } | { push: 'observe'; capture: CaptureSummary }
type WorkerMsg = RequestMsg | { ack: 'logs' }

export type { LogEntry, Snapshot, ExplainRequest, ExplainResult }

/** What the main thread lends the control channel. */
export interface ControlHostDeps {
  readonly engine: Engine
  readonly maps?: MapStore
  /** the one configuration file apply rewrites; null = apply refused */
  readonly configPath: string | null
  /** Loads the configuration files and swaps the engine, exactly as SIGHUP does. */
  readonly reload: () => Promise<{ ok: boolean; error?: string }>
  /** the VRRP engine beside the proxy: its state in snapshots, its transitions pushed */
  readonly vrrp?: VrrpHandle | null
  /** the tuning profile's limits, shown on the dashboard */
  readonly tuning?: Limits | null
  /** what the tuning profile was computed from (power source, board) */
  readonly tuningInputs?: TuningInputs | null
  /** observe mode (--observe): switched and read through the observe* ops, its captures pushed */
  readonly observer?: Observer | null
  /** how often access-log batches are pushed (ms) */
  readonly logFlushMs?: number
}

function loadResult (r: LoadResult): ValidateResult {
  return { ok: r.ok, alerts: r.ok ? [] : r.alerts, warnings: r.warnings }
}

/** Writes <text> to <path> so that a crash leaves either the old or the new file. */
function writeAtomically (path: string, text: string): void {
  const tmp = `${path}.tmp-${process.pid}`
  writeFileSync(tmp, text)
  const fd = openSync(tmp, 'r')
  try { fsyncSync(fd) } finally { closeSync(fd) }
  renameSync(tmp, path)
}

/** Main-thread side: answers requests arriving on <port> from the live engine.
 *  Returns a stop function (closes the port and the log timer). */
export function serveControl (port: MessagePort, deps: ControlHostDeps): () => void {
  const { engine, configPath } = deps
  const maps = deps.maps ?? defaultMapStore
  const session: CliSession = { engine, maps, level: Level.admin, interactive: false, quit: false }
  const tap = new LogTap((entries, dropped) => port.postMessage({ push: 'logs', entries, dropped } satisfies PushMsg))
  engine.process.recordTap = tap.onRecord
  deps.vrrp?.on('transition', transition => port.postMessage({ push: 'vrrp', transition } satisfies PushMsg))
  const inputs = deps.tuningInputs ?? null
  const power = inputs === null ? null : { source: inputs.power, board: inputs.board?.name ?? null }
  const stopObservePush = observePush(deps.observer ?? null, capture => port.postMessage({ push: 'observe', capture } satisfies PushMsg))
  const timer = setInterval(() => tap.flush(), deps.logFlushMs ?? 250)
  timer.unref()

  const validate = (text: string): LoadResult =>
    loadConfigSources([{ path: configPath ?? 'pocketlb.cfg', text }])

  const handlers: { [K in ControlOp]: (arg: ControlOps[K]['req']) => ControlOps[K]['res'] | Promise<ControlOps[K]['res']> } = {
    command: ({ line }) => {
      let out = ''
      session.level = Level.admin
      for (const args of splitLine(line)) out += runCommand(args, session) + '\n'
      return out
    },
    validate: ({ text }) => loadResult(validate(text)),
    apply: async ({ text }) => {
      const r = loadResult(validate(text))
      if (!r.ok) return { ...r, applied: false }
      if (configPath === null) return { ...r, applied: false, error: 'the running configuration comes from several files: edit them on disk' }
      const before = readFileSync(configPath, 'utf8')
      writeAtomically(configPath, text)
      const done = await deps.reload()
      if (!done.ok) {
        writeAtomically(configPath, before)
        return { ...r, applied: false, error: done.error ?? 'reload refused' }
      }
      return { ...r, applied: true }
    },
    explain: (req) => explainRequest(engine, req),
    snapshot: () => takeSnapshot(engine, tap.termCodes, { vrrp: deps.vrrp?.state() ?? null, tuning: deps.tuning ?? null, power }),
    config: () => ({ path: configPath, text: configPath === null ? engine.current.plan.files.join('\n') : readFileSync(configPath, 'utf8') }),
    ...observeHandlers(deps.observer ?? null)
  }

  port.on('message', (m: WorkerMsg) => {
    if ('ack' in m) { tap.ack(); return }
    const run = handlers[m.op] as (arg: unknown) => unknown
    Promise.resolve().then(() => run(m.arg)).then(
      value => port.postMessage({ id: m.id, ok: true, value } satisfies AnswerMsg),
      (e: unknown) => port.postMessage({ id: m.id, ok: false, error: (e as Error).message ?? String(e) } satisfies AnswerMsg))
  })
  return () => { clearInterval(timer); stopObservePush(); if (engine.process.recordTap === tap.onRecord) engine.process.recordTap = null; port.close() }
}

/** Worker side: typed calls to the data plane and the pushed access-log entries. */
export class ControlClient {
  private nextId = 1
  private readonly waiting = new Map<number, { resolve (v: unknown): void; reject (e: Error): void }>()
  /** receives each pushed batch; the batch is acknowledged after it returns */
  onLogs: ((entries: readonly LogEntry[], dropped: number) => void) | null = null
  onVrrp: ((t: VrrpTransition) => void) | null = null
  onObserve: ((c: CaptureSummary) => void) | null = null

  constructor (private readonly port: MessagePort) {
    port.on('message', (m: AnswerMsg | PushMsg) => {
      if ('push' in m && m.push === 'vrrp') { this.onVrrp?.(m.transition); return }
      if ('push' in m && m.push === 'observe') { this.onObserve?.(m.capture); return }
      if ('push' in m) {
        try { this.onLogs?.(m.entries, m.dropped) } finally { port.postMessage({ ack: 'logs' } satisfies WorkerMsg) }
        return
      }
      const w = this.waiting.get(m.id)
      if (w === undefined) return
      this.waiting.delete(m.id)
      if (m.ok) w.resolve(m.value)
      else w.reject(new Error(m.error))
    })
  }

  call<K extends ControlOp> (op: K, arg: ControlOps[K]['req']): Promise<ControlOps[K]['res']> {
    const id = this.nextId++
    return new Promise((resolve, reject) => {
      this.waiting.set(id, { resolve: resolve as (v: unknown) => void, reject })
      this.port.postMessage({ id, op, arg } as RequestMsg)
    })
  }

  command (line: string): Promise<string> { return this.call('command', { line }) }
  validate (text: string): Promise<ValidateResult> { return this.call('validate', { text }) }
  apply (text: string): Promise<ApplyResult> { return this.call('apply', { text }) }
  explain (req: ExplainRequest): Promise<ExplainResult> { return this.call('explain', req) }
  snapshot (): Promise<Snapshot> { return this.call('snapshot', {}) }
  runningConfig (): Promise<RunningConfig> { return this.call('config', {}) }

  close (): void { this.port.close() }
}

/** A connected pair in one thread (tests, and the API tests' in-process UI). */
export function controlPair (deps: ControlHostDeps): { client: ControlClient; stop: () => void } {
  const { port1, port2 } = new MessageChannel()
  const stop = serveControl(port1, deps)
  return { client: new ControlClient(port2), stop: () => { stop(); port2.close() } }
}
