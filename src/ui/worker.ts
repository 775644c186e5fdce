import { parentPort, workerData, type MessagePort } from 'node:worker_threads'
import { ControlClient } from '../runtime/control.ts'
import { Store } from '../store/store.ts'
import { loadAssets } from './assets.ts'
import { Live } from './live.ts'
import { buildUi } from './server.ts'
import { SetupToken } from './auth.ts'
import { recordBaseline } from './routes-config.ts'
import type { Appliance } from './routes-system.ts'
import { spawn } from 'node:child_process'

/** The image's init script sets PLB_APPLIANCE=1: then the UI may reboot the device with
 *  <command> (busybox `reboot` unless given), half a second after the answer so that the
 *  browser gets it. A <command> given alone also makes an appliance (tests). */
function appliance (command: readonly string[] | undefined): Appliance | null {
  if (process.env.PLB_APPLIANCE !== '1' && command === undefined) return null
  const [file, ...args] = command ?? ['reboot']
  return { reboot: () => { setTimeout(() => { spawn(file!, args, { stdio: 'ignore', detached: true }).on('error', () => {}).unref() }, 500) } }
}

/** What the main thread hands the UI worker (start.ts). */
export interface UiWorkerData {
  readonly plbRole: 'ui'
  readonly control: MessagePort
  readonly host: string
  readonly port: number
  readonly storePath: string
  /** certificate + key (PEM): serve HTTPS, session cookie Secure */
  readonly tlsPem: string | null
  /** power supplies directory (tests); default /sys/class/power_supply */
  readonly powerRoot?: string
  /** the command that reboots the device (default busybox `reboot` when PLB_APPLIANCE=1) */
  readonly rebootCommand?: readonly string[]
}

/** Messages the worker sends its parent. */
export type UiWorkerEvent =
  | { readonly t: 'ready'; readonly address: string; readonly setupToken: string | null }
  | { readonly t: 'failed'; readonly error: string }
  | { readonly t: 'stopped' }

/** Body of the UI worker: store, live sampler, fastify; stops on {t:'stop'}. */
export async function runUiWorker (): Promise<void> {
  const data = workerData as UiWorkerData
  const post = (e: UiWorkerEvent): void => parentPort!.postMessage(e)
  let store: Store | null = null
  try {
    store = Store.open(data.storePath)
    const control = new ControlClient(data.control)
    const live = new Live(control, store)
    const setup = new SetupToken(store.users.count() === 0)
    await recordBaseline(control, store)
    // pino: warnings and errors (failed requests) unless PLB_UI_LOG_LEVEL asks for more
    const logger = { name: 'pocketlb-ui', level: process.env.PLB_UI_LOG_LEVEL ?? 'warn' }
    const app = await buildUi({
      control, store, live, assets: await loadAssets(), setup, address: `${data.host}:${data.port}`, tlsPem: data.tlsPem, secure: data.tlsPem !== null,
      appliance: appliance(data.rebootCommand), powerRoot: data.powerRoot, logger
    })
    await app.listen({ host: data.host, port: data.port })
    const a = app.server.address()
    const address = a !== null && typeof a === 'object' ? `${a.address.includes(':') ? `[${a.address}]` : a.address}:${a.port}` : String(a)
    live.start()
    const opened = store
    parentPort!.on('message', (m: { t: string }) => {
      if (m.t !== 'stop') return
      live.stop()
      void app.close().finally(() => { opened.close(); post({ t: 'stopped' }); control.close(); parentPort!.close() })
    })
    post({ t: 'ready', address, setupToken: setup.value })
  } catch (e) {
    store?.close()
    post({ t: 'failed', error: (e as Error).message })
  }
}
