import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import { VERSION } from '../version.ts'

/** JSON Schema object (the subset the API uses); the same objects validate
 *  requests in fastify and describe them in /api/openapi.json. */
export type Schema = Readonly<Record<string, unknown>>

export const str = (extra: Schema = {}): Schema => ({ type: 'string', ...extra })
export const int = (extra: Schema = {}): Schema => ({ type: 'integer', ...extra })
export const obj = (properties: Record<string, Schema>, required: readonly string[] = []): Schema =>
  ({ type: 'object', properties, required, additionalProperties: false })

/** Who may call a route: anyone, a logged-in session, or a session that
 *  also sends its CSRF token (every change). */
export type Access = 'public' | 'session' | 'change'

export interface RouteDef {
  readonly method: 'GET' | 'POST'
  /** fastify form ("/api/config/versions/:id") */
  readonly url: string
  readonly summary: string
  readonly access: Access
  readonly body?: Schema
  readonly params?: Schema
  readonly querystring?: Schema
  /** response kind for the document */
  readonly produces?: 'application/json' | 'text/event-stream' | 'text/plain'
}

export type Handler = (req: FastifyRequest, reply: FastifyReply) => Promise<unknown>

/** The API's routes: each is registered with its schemas and kept for the OpenAPI document. */
export class Api {
  private readonly defs: RouteDef[] = []
  constructor (readonly app: FastifyInstance) {}

  route (def: RouteDef, handler: Handler): void {
    this.defs.push(def)
    register(this.app, def, handler)
  }

  document (): unknown { return openApiDocument(this.defs) }
}

function register (app: FastifyInstance, def: RouteDef, handler: Handler): void {
  const schema: Record<string, Schema> = {}
  if (def.body !== undefined) schema.body = def.body
  if (def.params !== undefined) schema.params = def.params
  if (def.querystring !== undefined) schema.querystring = def.querystring
  app.route({ method: def.method, url: def.url, schema, config: { access: def.access }, handler })
}

function parameters (where: 'path' | 'query', s: Schema | undefined): unknown[] {
  const props = (s?.properties ?? {}) as Record<string, Schema>
  const required = (s?.required ?? []) as string[]
  return Object.entries(props).map(([name, schema]) => ({ name, in: where, required: where === 'path' || required.includes(name), schema }))
}

/** OpenAPI 3.0 document of <defs>. */
function openApiDocument (defs: readonly RouteDef[]): unknown {
  const paths: Record<string, Record<string, unknown>> = {}
  for (const d of defs) {
    const path = d.url.replace(/:(\w+)/g, '{$1}')
    const op: Record<string, unknown> = {
      summary: d.summary,
      parameters: [...parameters('path', d.params), ...parameters('query', d.querystring)],
      responses: { 200: { description: 'OK', content: { [d.produces ?? 'application/json']: {} } }, 401: { description: 'not logged in' }, 403: { description: 'CSRF token missing or wrong' } }
    }
    if (d.body !== undefined) op.requestBody = { required: true, content: { 'application/json': { schema: d.body } } }
    if (d.access !== 'public') op.security = [{ session: [] }]
    if (d.access === 'change') op['x-csrf'] = 'header x-csrf-token must carry the token of the session'
    paths[path] = { ...paths[path], [d.method.toLowerCase()]: op }
  }
  return {
    openapi: '3.0.3',
    info: { title: 'pocketlb management API', version: VERSION, description: 'The API the web UI uses. Log in with POST /api/auth/login; send the returned csrf token in x-csrf-token on every change.' },
    components: { securitySchemes: { session: { type: 'apiKey', in: 'cookie', name: 'plb_session' } } },
    paths
  }
}
