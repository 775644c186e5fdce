import type { Api } from './api-schema.ts'
import { obj } from './api-schema.ts'
import type { ControlClient } from '../runtime/control.ts'
import type { Store } from '../store/store.ts'
import type { SimulatedFailure } from '../store/settings.ts'
import type { VrrpTransition } from '../store/events.ts'
import type { VrrpStatus } from '../vrrp/types.ts'
import { SIMULATED_FAILURE_TRACK } from '../vrrp/types.ts'
import type { L4ServiceStatus } from '../l4/status.ts'

/** The failing-track name the VRRP engine reports while the demo switch is on */
const SIMULATED = `pocketlb:${SIMULATED_FAILURE_TRACK}`

/** What the VRRP page reads: the instances (`show vrrp json`), whether the demo
 *  failure is on, and the transitions recorded in the store. */
export interface VrrpView {
  readonly configured: boolean
  readonly simulatedFailure: boolean
  /** The switch as kept in the store: the main process re-applies it at start (cli.ts) */
  readonly simulatedFailureKept: SimulatedFailure
  readonly instances: readonly VrrpStatus[]
  readonly transitions: readonly VrrpTransition[]
}

/** Runs a `show … json` runtime command; an answer that is not JSON (an error text) throws with it. */
async function showJson<T> (control: ControlClient, line: string): Promise<T> {
  const out = await control.command(line)
  try { return JSON.parse(out) as T } catch { throw new Error(out.trim()) }
}

/** VRRP (state, transitions, the "simulate failure" switch) and the kernel L4 services, both
 *  read through the runtime API on the control channel. */
export function deviceRoutes (api: Api, control: ControlClient, store: Store): void {
  const vrrpView = async (): Promise<VrrpView> => {
    const instances = await showJson<VrrpStatus[]>(control, 'show vrrp json')
    return {
      configured: instances.length > 0,
      simulatedFailure: instances.some(i => i.failing.includes(SIMULATED)),
      simulatedFailureKept: store.settings.simulatedFailure(),
      instances,
      transitions: store.events.recentVrrp(100)
    }
  }

  api.route({ method: 'GET', url: '/api/vrrp', summary: "VRRP instances of this node (show vrrp json) and the transitions recorded; configured false when VRRP is not running", access: 'session' },
    vrrpView)

  api.route({
    method: 'POST', url: '/api/vrrp/simulate-failure', access: 'change', body: obj({ on: { type: 'boolean' } }, ['on']),
    summary: 'Demo switch: on makes every instance act as if a tracked check failed (FAULT, mastership given up); off restores. Kept in the store and re-applied at start'
  }, async (req, reply) => {
    const { on } = req.body as { on: boolean }
    const answer = (await control.command(`set vrrp simulate-failure ${on ? 'on' : 'off'}`)).trim()
    store.events.audit(req.session!.user, 'vrrp', `simulate failure ${on ? 'on' : 'off'}${answer === '' ? '' : ' → ' + answer}`)
    if (answer !== '') return reply.code(409).send({ error: answer })
    store.settings.setSimulatedFailure(on)
    return { ok: true }
  })

  api.route({ method: 'GET', url: '/api/l4', summary: 'Kernel L4 services (keepalived virtual_server, show l4 json): real servers, up/down, weight, flows, packets, bytes', access: 'session' },
    async () => {
      const services = await showJson<L4ServiceStatus[]>(control, 'show l4 json')
      return { configured: services.length > 0, services }
    })
}
