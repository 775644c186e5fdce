import type { Api } from './api-schema.ts'
import { str, int, obj } from './api-schema.ts'
import type { Store } from '../store/store.ts'
import { matches, type Live, type LogFilter } from './live.ts'

/** Past this many bytes unsent to a slow browser, entries are dropped for it. */
const MAX_BUFFERED = 256 * 1024

const FILTER = obj({ status: str({ maxLength: 3 }), backend: str({ maxLength: 100 }), term: str({ maxLength: 2 }), client: str({ maxLength: 60 }) })

/** Live access log over Server-Sent Events (filtered), and the stored ring. */
export function logRoutes (api: Api, store: Store, live: Live): void {
  api.route({ method: 'GET', url: '/api/logs/recent', summary: 'Newest lines of the stored log ring', access: 'session', querystring: obj({ limit: int({ minimum: 1, maximum: 5000 }) }) },
    async (req) => store.events.recentLogs((req.query as { limit?: number }).limit ?? 200))

  api.route({ method: 'GET', url: '/api/logs/stream', summary: 'Live access log (SSE, one JSON entry per event); filters: status prefix, backend, termination code prefix, client prefix', access: 'session', querystring: FILTER, produces: 'text/event-stream' },
    async (req, reply) => {
      const filter = req.query as LogFilter
      const raw = reply.raw
      reply.hijack()
      raw.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-store', connection: 'keep-alive', 'x-accel-buffering': 'no' })
      raw.write(': live log\n\n')
      const unsubscribe = live.subscribe(entries => {
        if (raw.writableLength > MAX_BUFFERED) return
        let out = ''
        for (const e of entries) if (matches(e, filter)) out += `data: ${JSON.stringify(e)}\n\n`
        if (out !== '') raw.write(out)
      })
      const ping = setInterval(() => raw.write(': ping\n\n'), 15_000)
      req.raw.once('close', () => { clearInterval(ping); unsubscribe() })
    })
}
