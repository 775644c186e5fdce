import { Worker, MessageChannel, type MessagePort } from 'node:worker_threads'
import { serveControl, type ControlHostDeps } from '../runtime/control.ts'
import type { UiWorkerData, UiWorkerEvent } from './worker.ts'

export interface UiHandle {
  /** "127.0.0.1:9000" */
  readonly address: string
  /** the one-time first-start token (printed on the console), null once an admin exists */
  readonly setupToken: string | null
  stop (): Promise<void>
}

/** The worker: in the bundle, ui-worker.mjs beside it (scripts/bundle.mjs);
 *  from sources worker-entry.ts, loaded through tsx registered inside the
 *  worker (Node 20 workers do not inherit the parent's --import loader hooks). */
function newWorker (data: UiWorkerData, transfer: MessagePort): Worker {
  const self = new URL(import.meta.url)
  if (!self.pathname.endsWith('.ts')) return new Worker(new URL('./ui-worker.mjs', self), { workerData: data, transferList: [transfer] })
  const tsx = import.meta.resolve('tsx/esm/api')
  const entry = new URL('./worker-entry.ts', self).href
  const boot = `import(${JSON.stringify(tsx)}).then(m => { m.register(); return import(${JSON.stringify(entry)}) })`
  return new Worker(boot, { eval: true, workerData: data, transferList: [transfer] })
}

/** Starts the web UI in a worker thread listening on <host>:<port>, talking
 *  to the data plane only through the control channel served here. */
export async function startUi (opts: { host: string; port: number; storePath: string; tlsPem?: string | null; powerRoot?: string; rebootCommand?: readonly string[] } & ControlHostDeps): Promise<UiHandle> {
  const { port1, port2 } = new MessageChannel()
  const stopControl = serveControl(port1, opts)
  const data: UiWorkerData = { plbRole: 'ui', control: port2, host: opts.host, port: opts.port, storePath: opts.storePath, tlsPem: opts.tlsPem ?? null, powerRoot: opts.powerRoot, rebootCommand: opts.rebootCommand }
  const worker = newWorker(data, port2)
  let exited = false
  const gone = new Promise<void>(resolve => worker.once('exit', () => { exited = true; resolve() }))
  const ready = await new Promise<UiWorkerEvent>((resolve, reject) => {
    worker.once('message', resolve)
    worker.once('error', reject)
    void gone.then(() => reject(new Error('the UI worker exited')))
  }).catch((e: Error): UiWorkerEvent => ({ t: 'failed', error: e.message }))
  if (ready.t !== 'ready') {
    stopControl()
    await worker.terminate()
    throw new Error(`web UI: ${ready.t === 'failed' ? ready.error : 'no answer'}`)
  }
  return {
    address: ready.address,
    setupToken: ready.setupToken,
    stop: async () => {
      if (!exited) {
        worker.postMessage({ t: 'stop' })
        // the worker flushes its store and closes its server; a stuck one is terminated
        const timer = setTimeout(() => { void worker.terminate() }, 3000)
        await gone
        clearTimeout(timer)
      }
      stopControl()
    }
  }
}
