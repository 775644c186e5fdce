/** Child-process entry of the VRRP engine (startVrrp in main.ts). A process of
 *  its own, as keepalived's VRRP child: the proxy's load and GC pauses cannot
 *  delay adverts, and the raw-socket addon polls on the default libuv loop, so
 *  it cannot live in a worker thread. Talks to the parent over the IPC channel. */
import { VrrpEngine } from './engine.ts'
import type { FromEngine, ToEngine } from './main.ts'

const STATUS_EVERY_MS = 1000
const post = (m: FromEngine): void => { process.send?.(m) }
let engine: VrrpEngine | null = null
let statusTimer: ReturnType<typeof setInterval> | null = null

function stop (): void {
  if (statusTimer) clearInterval(statusTimer)
  if (!engine) process.exit(0)
  void engine.stop().then(() => { post({ t: 'status', list: engine!.state() }); post({ t: 'stopped' }); process.disconnect?.() })
}

process.on('message', (m: ToEngine) => {
  if (m.t === 'plan') {
    const e = engine = new VrrpEngine(m.plan, { log: msg => post({ t: 'log', msg }) })
    e.on('transition', tr => { post({ t: 'transition', tr }); post({ t: 'status', list: e.state() }) })
    statusTimer = setInterval(() => post({ t: 'status', list: e.state() }), STATUS_EVERY_MS)
    e.start().then(
      () => { post({ t: 'status', list: e.state() }); post({ t: 'started' }) },
      (err: Error) => { post({ t: 'error', message: err.message }); process.exit(1) })
  } else if (m.t === 'reload') {
    const e = engine
    if (!e) { post({ t: 'reloaded', error: 'the engine has not started' }); return }
    e.reload(m.plan).then(
      () => { post({ t: 'status', list: e.state() }); post({ t: 'reloaded' }) },
      (err: Error) => post({ t: 'reloaded', error: err.message }))
  } else if (m.t === 'track') engine?.track(m.name, m.ok)
  else if (m.t === 'stop') stop()
})
// The parent died or closed the channel: resign like on SIGTERM
process.on('disconnect', () => { if (engine) void engine.stop().then(() => process.exit(0)); else process.exit(0) })
process.once('SIGTERM', stop)
