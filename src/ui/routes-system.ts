import type { Api } from './api-schema.ts'
import { str, int, obj } from './api-schema.ts'
import type { ControlClient } from '../runtime/control.ts'
import type { Store } from '../store/store.ts'
import { TEMPLATES, renderTemplate, mergeConfig } from './templates.ts'
import { applyAndRecord } from './routes-config.ts'
import { VERSION } from '../version.ts'
import { networkInterfaces, uptime } from 'node:os'

/** The device side the UI may act on; absent when pocketlb runs as a program on a PC. */
export interface Appliance {
  /** Restarts the device (after the answer has left) */
  reboot (): void
}

const NOT_APPLIANCE = 'Reboot is only available on the appliance (its init sets PLB_APPLIANCE=1). ' +
  'Here pocketlb runs as a program: restart it yourself.'

/** The machine's interfaces and addresses (os.networkInterfaces), loopback included. */
function interfaces (): { name: string; mac: string; addresses: string[] }[] {
  return Object.entries(networkInterfaces()).map(([name, list = []]) =>
    ({ name, mac: list[0]?.mac ?? '', addresses: list.map(a => a.cidr ?? a.address) }))
}

const VALUES = { type: 'object', additionalProperties: str({ maxLength: 2000 }), maxProperties: 20 }

/** Templates, stats history, system (ports, backup/restore, version), audit trail. */
export function systemRoutes (api: Api, control: ControlClient, store: Store, ui: { address: string; appliance: Appliance | null }): void {
  api.route({ method: 'GET', url: '/api/templates', summary: 'Service templates (one per seed scenario) and their form fields', access: 'session' },
    async () => TEMPLATES.map(t => ({ id: t.id, title: t.title, summary: t.summary, fields: t.fields })))

  api.route({ method: 'POST', url: '/api/templates/:id/render', summary: 'Generated config lines with the reason for each', access: 'session', params: obj({ id: str() }, ['id']), body: obj({ values: VALUES }, ['values']) },
    async (req, reply) => {
      const t = TEMPLATES.find(x => x.id === (req.params as { id: string }).id)
      if (t === undefined) return reply.code(404).send({ error: 'no such template' })
      return renderTemplate(t, (req.body as { values: Record<string, string> }).values)
    })

  api.route({ method: 'POST', url: '/api/templates/:id/apply', summary: 'Merge the generated sections into the running config, then validate and apply', access: 'change', params: obj({ id: str() }, ['id']), body: obj({ values: VALUES }, ['values']) },
    async (req, reply) => {
      const t = TEMPLATES.find(x => x.id === (req.params as { id: string }).id)
      if (t === undefined) return reply.code(404).send({ error: 'no such template' })
      const { text: snippet } = renderTemplate(t, (req.body as { values: Record<string, string> }).values)
      const { text } = await control.runningConfig()
      return applyAndRecord(control, store, req.session!.user, mergeConfig(text, snippet), `template ${t.id}`)
    })

  api.route({ method: 'GET', url: '/api/stats/history', summary: 'Stats history: 10 s or 60 s averages since a time (ms)', access: 'session', querystring: obj({ period: int({ enum: [10, 60] }), since: int({ minimum: 0 }) }) },
    async (req) => {
      const q = req.query as { period?: number; since?: number }
      const period = q.period ?? 10
      return store.stats.points(period, q.since ?? Date.now() - period * 360_000)
    })

  api.route({ method: 'GET', url: '/api/system', summary: 'Version, uptimes, listening ports, network interfaces and addresses, the UI address, whether reboot is possible', access: 'session' },
    async (req) => {
      const snap = await control.snapshot()
      // where the server really listens (port 0 given: the port chosen), else the address configured
      const listening = req.server.addresses().map(a => typeof a === 'string' ? a : a.family === 'IPv6' ? `[${a.address}]:${a.port}` : `${a.address}:${a.port}`)
      return {
        version: VERSION, node: process.versions.node, pid: snap.pid, uptimeMs: Date.now() - snap.startedAt, systemUptimeMs: Math.round(uptime() * 1000),
        listeners: snap.listeners, ui: listening.length > 0 ? listening.join(', ') : ui.address, frontends: snap.frontends.map(f => ({ name: f.name, binds: f.binds })),
        interfaces: interfaces(), appliance: ui.appliance !== null
      }
    })

  api.route({ method: 'POST', url: '/api/system/reboot', summary: 'Reboot the appliance (409 when pocketlb does not run as the appliance)', access: 'change' },
    async (req, reply) => {
      if (ui.appliance === null) return reply.code(409).send({ error: NOT_APPLIANCE })
      store.events.audit(req.session!.user, 'reboot', '')
      store.batch.flush()
      ui.appliance.reboot()
      return { ok: true }
    })

  api.route({ method: 'GET', url: '/api/system/backup', summary: 'Download the running configuration', access: 'session', produces: 'text/plain' },
    async (_req, reply) => {
      const { text } = await control.runningConfig()
      return reply.header('content-type', 'text/plain; charset=utf-8').header('content-disposition', 'attachment; filename="pocketlb.cfg"').send(text)
    })

  api.route({ method: 'POST', url: '/api/system/restore', summary: 'Restore a configuration backup (validated and applied like the editor)', access: 'change', body: obj({ text: str({ maxLength: 1_000_000 }) }, ['text']) },
    async (req) => applyAndRecord(control, store, req.session!.user, (req.body as { text: string }).text, 'restore from backup'))

  api.route({ method: 'GET', url: '/api/audit', summary: 'Audit trail: logins, applies, server changes', access: 'session' },
    async () => store.events.recentAudit(200))
}
