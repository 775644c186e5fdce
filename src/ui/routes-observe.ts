import type { Api } from './api-schema.ts'
import { str, int, obj } from './api-schema.ts'
import type { ControlClient } from '../runtime/control.ts'
import { matches } from '../observe/store.ts'
import type { CaptureFilter, CaptureSummary } from '../observe/types.ts'

/** Past this many bytes unsent to a slow browser, captures are dropped for it. */
const MAX_BUFFERED = 256 * 1024

const FILTER_FIELDS = {
  kind: str({ enum: ['http', 'tls'] }),
  text: str({ maxLength: 200 }),
  method: str({ maxLength: 16 }),
  status: str({ pattern: '^([1-5]xx|[1-9][0-9]{2})$' })
}
const LIST_QUERY = obj({ ...FILTER_FIELDS, afterId: int({ minimum: 0 }), limit: int({ minimum: 1, maximum: 5000 }) })

/** The query's status as the store's filter takes it: a number, or a class "4xx". */
function filterOf (q: Record<string, unknown>): CaptureFilter {
  const status = q.status as string | undefined
  return { ...q, ...(status !== undefined && /^\d+$/.test(status) ? { status: Number(status) } : {}) } as CaptureFilter
}

/** Observe mode: the switch, the captures (list, one in full, HAR), and a live stream. */
export function observeRoutes (api: Api, control: ControlClient): void {
  const subscribers = new Set<(c: CaptureSummary) => void>()
  control.onObserve = c => { for (const s of subscribers) s(c) }

  api.route({ method: 'GET', url: '/api/observe', summary: 'Observe mode: available (started with --observe), on, ports, body size kept, connections relayed', access: 'session' },
    async () => control.call('observe', {}))

  api.route({ method: 'POST', url: '/api/observe', summary: 'Switch observe mode on or off (open connections keep their path: only new ones follow)', access: 'change', body: obj({ on: { type: 'boolean' } }, ['on']) },
    async (req, reply) => {
      const state = await control.call('observe', {})
      if (!state.available) return reply.code(409).send({ error: 'observe mode is not available: start pocketlb with --observe <pc-if>,<lan-if>' })
      return control.call('observe', { on: (req.body as { on: boolean }).on })
    })

  api.route({ method: 'GET', url: '/api/observe/exchanges', summary: 'Captures still in the ring, oldest first (summaries): kind, text in host/path/SNI/client/server, method, status or class (4xx), afterId, limit', access: 'session', querystring: LIST_QUERY },
    async (req) => control.call('observeList', filterOf(req.query as Record<string, unknown>)))

  api.route({ method: 'GET', url: '/api/observe/exchanges/:id', summary: 'One capture in full: headers, bodies (text or base64), timings', access: 'session', params: obj({ id: int({ minimum: 1 }) }, ['id']) },
    async (req, reply) => {
      const c = await control.call('observeGet', { id: (req.params as { id: number }).id })
      return c === null ? reply.code(404).send({ error: 'no such capture (the ring keeps the newest ones)' }) : c
    })

  api.route({ method: 'GET', url: '/api/observe/har', summary: 'HAR 1.2 of the HTTP exchanges held (ids: a comma-separated subset), as a download', access: 'session', querystring: obj({ ids: str({ pattern: '^\\d+(,\\d+)*$', maxLength: 20000 }) }) },
    async (req, reply) => {
      const ids = (req.query as { ids?: string }).ids
      const state = await control.call('observe', {})
      if (!state.available) return reply.code(409).send({ error: 'observe mode is not available' })
      const har = await control.call('observeHar', ids === undefined ? {} : { ids: ids.split(',').map(Number) })
      return reply.header('content-disposition', `attachment; filename="pocketlb-${new Date().toISOString().replace(/[:.]/g, '-')}.har"`).send(har)
    })

  api.route({ method: 'GET', url: '/api/observe/live', summary: 'New captures as they are recorded (SSE, one summary per event), filtered as /api/observe/exchanges', access: 'session', querystring: obj(FILTER_FIELDS), produces: 'text/event-stream' },
    async (req, reply) => {
      const filter = filterOf(req.query as Record<string, unknown>)
      const raw = reply.raw
      reply.hijack()
      raw.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-store', connection: 'keep-alive', 'x-accel-buffering': 'no' })
      raw.write(': observe\n\n')
      const send = (c: CaptureSummary): void => {
        if (raw.writableLength <= MAX_BUFFERED && matches(c, filter)) raw.write(`data: ${JSON.stringify(c)}\n\n`)
      }
      subscribers.add(send)
      const ping = setInterval(() => raw.write(': ping\n\n'), 15_000)
      req.raw.once('close', () => { clearInterval(ping); subscribers.delete(send) })
    })
}
