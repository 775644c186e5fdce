import type { Api } from './api-schema.ts'
import { str, int, obj } from './api-schema.ts'
import type { ControlClient } from '../runtime/control.ts'
import type { Store } from '../store/store.ts'
import type { Limits } from '../tuning/types.ts'
import type { Live } from './live.ts'
import { readPower } from './power.ts'

/** The tuning profile's limits the dashboard shows (the reasons say why each has its value). */
function tuningView (t: Limits | null): Record<string, unknown> | null {
  if (t === null) return null
  return {
    profile: t.profile, maxconn: t.maxconn, bufsize: t.bufsize, ramMiB: Math.round(t.ramBytes / 1048576), heapMiB: t.heapMiB,
    connBudgetMiB: Math.round(t.connBudgetBytes / 1048576), checkIntervalFactor: t.checkIntervalFactor, reasons: t.reasons
  }
}

const NAME = str({ pattern: '^[A-Za-z0-9_.:-]+$', maxLength: 100 })

/** Dashboard status, services (frontends/backends/servers), server actions through the runtime API, explain. */
export function serviceRoutes (api: Api, control: ControlClient, store: Store, live: Live, powerRoot?: string): void {
  api.route({ method: 'GET', url: '/api/status', summary: 'Dashboard: counters, rates of the last minutes, server states, uptime, version, power source; VRRP/tuning when configured', access: 'session' },
    async () => {
      const snap = live.snapshot ?? await control.snapshot()
      return {
        version: snap.version, pid: snap.pid, uptimeMs: Date.now() - snap.startedAt, actconn: snap.actconn,
        totalConns: snap.totalConns, totalReqs: snap.totalReqs, termCodes: snap.termCodes,
        rates: live.recent.slice(-120), droppedLogLines: live.dropped,
        backends: snap.backends.map(b => ({ name: b.name, servers: b.servers.map(s => ({ name: s.name, status: s.status })) })),
        vrrp: snap.device.vrrp?.map(v => ({ name: v.name, state: v.state, priority: v.effectivePriority, master: v.masterIp, masterPriority: v.masterPriority, vips: v.vips })) ?? null,
        tuning: tuningView(snap.device.tuning),
        power: { ...readPower(snap.device.power?.source ?? null, powerRoot), board: snap.device.power?.board ?? null },
        vrrpTransitions: store.events.recentVrrp(10)
      }
    })

  api.route({ method: 'GET', url: '/api/services', summary: 'Frontends, backends and servers of the running configuration with live counters', access: 'session' },
    async () => {
      const snap = await control.snapshot()
      return { frontends: snap.frontends, backends: snap.backends, listeners: snap.listeners }
    })

  api.route({
    method: 'POST', url: '/api/servers/:backend/:server', summary: "Change a server's state (ready, drain, maint) or weight through the runtime API", access: 'change',
    params: obj({ backend: NAME, server: NAME }, ['backend', 'server']),
    body: obj({ state: str({ enum: ['ready', 'drain', 'maint'] }), weight: int({ minimum: 0, maximum: 256 }) })
  }, async (req, reply) => {
    const { backend, server } = req.params as { backend: string; server: string }
    const { state, weight } = req.body as { state?: string; weight?: number }
    if (state === undefined && weight === undefined) return reply.code(400).send({ error: 'give state or weight' })
    const lines = []
    if (state !== undefined) lines.push(`set server ${backend}/${server} state ${state}`)
    if (weight !== undefined) lines.push(`set server ${backend}/${server} weight ${weight}`)
    let out = ''
    for (const l of lines) out += await control.command(l)
    const answer = out.trim()
    store.events.audit(req.session!.user, 'server', `${lines.join('; ')}${answer === '' ? '' : ' → ' + answer}`)
    if (answer !== '') return reply.code(400).send({ error: answer })
    return { ok: true }
  })

  api.route({
    method: 'POST', url: '/api/runtime', summary: 'Run one runtime API command line (admin level) and return its text answer', access: 'change',
    body: obj({ line: str({ maxLength: 4096 }) }, ['line']), produces: 'application/json'
  }, async (req) => {
    const { line } = req.body as { line: string }
    const out = await control.command(line)
    if (!/^\s*(show|get|help)\b/.test(line)) store.events.audit(req.session!.user, 'runtime', line)
    return { output: out }
  })

  api.route({
    method: 'POST', url: '/api/explain', summary: 'Why a request goes where: rules matched, backend and server it would get', access: 'session',
    body: obj({ method: str({ maxLength: 16 }), url: str({ maxLength: 4096 }), headers: { type: 'array', maxItems: 100, items: { type: 'array', items: str({ maxLength: 8192 }), minItems: 2, maxItems: 2 } }, frontend: str(), client: str() }, ['url'])
  }, async (req) => {
    const b = req.body as { method?: string; url: string; headers?: [string, string][]; frontend?: string; client?: string }
    return control.explain({ method: b.method ?? 'GET', url: b.url, headers: b.headers ?? [], frontend: b.frontend, client: b.client })
  })
}
