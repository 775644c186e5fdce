import type { Api } from './api-schema.ts'
import { str, int, obj } from './api-schema.ts'
import type { ControlClient, ValidateResult, ApplyResult } from '../runtime/control.ts'
import type { Store } from '../store/store.ts'

export interface Marker { readonly line: number; readonly severity: 'error' | 'warning'; readonly message: string }

/** Pins checker messages to lines: "parsing [file:12] : ..." → line 12. */
export function markers (r: ValidateResult): Marker[] {
  const out: Marker[] = []
  const pin = (severity: Marker['severity']) => (message: string): void => {
    const m = /\[[^\]]*:(\d+)\]/.exec(message)
    out.push({ line: m === null ? 0 : Number(m[1]), severity, message })
  }
  r.alerts.forEach(pin('error'))
  r.warnings.forEach(pin('warning'))
  return out
}

const TEXT = str({ maxLength: 1_000_000 })

/** Applies <text> through the data plane and records the attempt as a version. */
export async function applyAndRecord (control: ControlClient, store: Store, user: string, text: string, comment: string): Promise<ApplyResult & { version: number; markers: Marker[] }> {
  const r = await control.apply(text)
  const version = store.versions.add({ author: user, comment, text, valid: r.ok, messages: [...r.alerts, ...r.warnings], applied: r.applied })
  store.events.audit(user, 'apply', `version ${version}: ${r.applied ? 'applied' : r.ok ? 'refused: ' + (r.error ?? '') : 'invalid'}`)
  return { ...r, version, markers: markers(r) }
}

/** Records the configuration running at start as a version, unless it is the last one applied. */
export async function recordBaseline (control: ControlClient, store: Store): Promise<void> {
  const { text } = await control.runningConfig()
  const last = store.versions.latestApplied()
  if (last !== null && last.text === text) return
  store.versions.add({ author: 'system', comment: 'running at start', text, valid: true, messages: [], applied: true })
}

/** Editor: running text, validate (markers by line), apply, versions, rollback. */
export function configRoutes (api: Api, control: ControlClient, store: Store): void {
  api.route({ method: 'GET', url: '/api/config', summary: 'The running configuration text and its file', access: 'session' },
    async () => control.runningConfig())

  api.route({ method: 'POST', url: '/api/config/validate', summary: 'Check a configuration with the same checker as `pocketlb -c`; messages pinned to lines', access: 'change', body: obj({ text: TEXT }, ['text']) },
    async (req) => {
      const r = await control.validate((req.body as { text: string }).text)
      return { ...r, markers: markers(r) }
    })

  api.route({ method: 'POST', url: '/api/config/apply', summary: 'Validate, write and reload; a failed apply leaves the running configuration in service', access: 'change', body: obj({ text: TEXT, comment: str({ maxLength: 500 }) }, ['text']) },
    async (req) => {
      const { text, comment } = req.body as { text: string; comment?: string }
      return applyAndRecord(control, store, req.session!.user, text, comment ?? '')
    })

  api.route({ method: 'GET', url: '/api/config/versions', summary: 'Configuration versions, newest first (without their text)', access: 'session', querystring: obj({ limit: int({ minimum: 1, maximum: 500 }) }) },
    async (req) => store.versions.recent((req.query as { limit?: number }).limit ?? 50))

  api.route({ method: 'GET', url: '/api/config/versions/:id', summary: 'One version with its text', access: 'session', params: obj({ id: int() }, ['id']) },
    async (req, reply) => store.versions.get((req.params as { id: number }).id) ?? reply.code(404).send({ error: 'no such version' }))

  api.route({ method: 'POST', url: '/api/config/rollback/:id', summary: 'Apply the text of an earlier version again', access: 'change', params: obj({ id: int() }, ['id']) },
    async (req, reply) => {
      const id = (req.params as { id: number }).id
      const v = store.versions.get(id)
      if (v === null) return reply.code(404).send({ error: 'no such version' })
      return applyAndRecord(control, store, req.session!.user, v.text, `rollback to version ${id}`)
    })
}
