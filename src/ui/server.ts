import Fastify, { type FastifyInstance } from 'fastify'
import type { ControlClient } from '../runtime/control.ts'
import type { Store } from '../store/store.ts'
import { Api } from './api-schema.ts'
import { installAuth, LoginLimiter, SetupToken } from './auth.ts'
import { authRoutes } from './routes-auth.ts'
import { serviceRoutes } from './routes-services.ts'
import { configRoutes } from './routes-config.ts'
import { logRoutes } from './routes-logs.ts'
import { systemRoutes, type Appliance } from './routes-system.ts'
import { deviceRoutes } from './routes-device.ts'
import { observeRoutes } from './routes-observe.ts'
import type { Asset } from './assets.ts'
import type { Live } from './live.ts'

export interface UiDeps {
  readonly control: ControlClient
  readonly store: Store
  readonly live: Live
  readonly assets: ReadonlyMap<string, Asset>
  readonly setup: SetupToken
  /** where the UI listens, shown on the system page */
  readonly address: string
  /** the cookie gets Secure (behind TLS) */
  readonly secure?: boolean
  /** certificate + key (PEM): the server speaks HTTPS */
  readonly tlsPem?: string | null
  /** pino options of fastify's logger (level, name); absent: no logs */
  readonly logger?: { readonly level: string; readonly name?: string }
  readonly limiter?: LoginLimiter
  /** set when pocketlb runs as the appliance (reboot allowed) */
  readonly appliance?: Appliance | null
  /** power supplies directory (tests give their own; default /sys/class/power_supply) */
  readonly powerRoot?: string
}

const SECURITY_HEADERS = {
  'x-content-type-options': 'nosniff',
  'x-frame-options': 'DENY',
  'referrer-policy': 'same-origin',
  'content-security-policy': "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; connect-src 'self'; frame-ancestors 'none'"
}

/** The management web app: JSON API under /api (OpenAPI at /api/openapi.json) and the browser files. */
export async function buildUi (deps: UiDeps): Promise<FastifyInstance> {
  const pem = deps.tlsPem ?? null
  const app = Fastify({ logger: deps.logger ?? false, bodyLimit: 2 * 1024 * 1024, ...(pem === null ? {} : { https: { cert: pem, key: pem } }) })
  const api = new Api(app)
  installAuth(app, deps.store.users)
  app.addHook('onSend', async (_req, reply) => { reply.headers(SECURITY_HEADERS) })
  authRoutes(api, deps.store, deps.setup, deps.limiter ?? new LoginLimiter(), deps.secure ?? false)
  serviceRoutes(api, deps.control, deps.store, deps.live, deps.powerRoot)
  configRoutes(api, deps.control, deps.store)
  logRoutes(api, deps.store, deps.live)
  systemRoutes(api, deps.control, deps.store, { address: deps.address, appliance: deps.appliance ?? null })
  deviceRoutes(api, deps.control, deps.store)
  observeRoutes(api, deps.control)
  app.get('/api/openapi.json', async () => api.document())

  const serveAsset = (name: string) => async (req: import('fastify').FastifyRequest, reply: import('fastify').FastifyReply) => {
    const a = deps.assets.get(name)
    if (a === undefined) return reply.code(404).send({ error: 'not found' })
    reply.header('etag', a.etag).header('cache-control', a.cacheControl).header('content-type', a.type).header('vary', 'accept-encoding')
    if (req.headers['if-none-match'] === a.etag) return reply.code(304).send()
    if (/\bgzip\b/.test(req.headers['accept-encoding'] ?? '')) return reply.header('content-encoding', 'gzip').send(a.gzip)
    return reply.send(a.body)
  }
  app.get('/', serveAsset('index.html'))
  app.get('/assets/:name', async (req, reply) => serveAsset((req.params as { name: string }).name)(req, reply))
  return app
}
