/** Worker-thread entry of the VRRP engine (startVrrp in main.ts): adverts are
 *  timed on this thread's event loop, which the proxy's load cannot delay. */
import { parentPort, workerData } from 'node:worker_threads'
import type { VrrpPlan } from './types.ts'
import { VrrpEngine } from './engine.ts'
import type { FromEngine, ToEngine } from './main.ts'

const STATUS_EVERY_MS = 1000
const port = parentPort!
const post = (m: FromEngine): void => port.postMessage(m)

const engine = new VrrpEngine(workerData.plan as VrrpPlan, { log: msg => post({ t: 'log', msg }) })
engine.on('transition', tr => { post({ t: 'transition', tr }); post({ t: 'status', list: engine.state() }) })
const statusTimer = setInterval(() => post({ t: 'status', list: engine.state() }), STATUS_EVERY_MS)

port.on('message', (m: ToEngine) => {
  if (m.t === 'track') engine.track(m.name, m.ok)
  else if (m.t === 'stop') {
    clearInterval(statusTimer)
    void engine.stop().then(() => { post({ t: 'status', list: engine.state() }); post({ t: 'stopped' }) })
  }
})

engine.start().then(
  () => { post({ t: 'status', list: engine.state() }); post({ t: 'started' }) },
  (err: Error) => post({ t: 'error', message: err.message })
)
