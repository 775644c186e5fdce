import { randomBytes, timingSafeEqual } from 'node:crypto'
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import type { Users, SessionInfo } from '../store/users.ts'
import type { Access } from './api-schema.ts'

export const COOKIE = 'plb_session'

/** Value of cookie <name> in a Cookie header. */
export function cookieValue (header: string | undefined, name: string): string | null {
  if (header === undefined) return null
  for (const part of header.split(';')) {
    const eq = part.indexOf('=')
    if (eq > 0 && part.slice(0, eq).trim() === name) return decodeURIComponent(part.slice(eq + 1).trim())
  }
  return null
}

export function sessionCookie (id: string, secure: boolean): string {
  return `${COOKIE}=${id}; Path=/; HttpOnly; SameSite=Strict${secure ? '; Secure' : ''}`
}
export const CLEAR_COOKIE = `${COOKIE}=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0`

function same (a: string, b: string): boolean {
  const x = Buffer.from(a), y = Buffer.from(b)
  return x.length === y.length && timingSafeEqual(x, y)
}

/** Failed logins per client address: at most <max> in <windowMs>, then 429 until the window passes. */
export class LoginLimiter {
  private readonly failures = new Map<string, number[]>()
  constructor (private readonly max = 5, private readonly windowMs = 60_000) {}

  blocked (ip: string, now = Date.now()): boolean {
    const f = (this.failures.get(ip) ?? []).filter(t => t > now - this.windowMs)
    if (f.length === 0) this.failures.delete(ip); else this.failures.set(ip, f)
    return f.length >= this.max
  }

  failed (ip: string, now = Date.now()): void {
    const f = this.failures.get(ip) ?? []
    f.push(now)
    this.failures.set(ip, f)
  }

  succeeded (ip: string): void { this.failures.delete(ip) }
}

/** The first-start secret: without users, setting the admin password needs
 *  this token, printed once on the console (someone at the device's console). */
export class SetupToken {
  private token: string | null
  constructor (needed: boolean) { this.token = needed ? randomBytes(12).toString('base64url') : null }
  get value (): string | null { return this.token }
  check (t: string): boolean { return this.token !== null && same(this.token, t) }
  consume (): void { this.token = null }
}

declare module 'fastify' {
  interface FastifyRequest { session: SessionInfo | null; sessionId: string | null }
  interface FastifyContextConfig { access?: Access }
}

/** Checks every /api request against its route's access level: a session
 *  cookie for 'session', plus the session's CSRF token in x-csrf-token for 'change'. */
export function installAuth (app: FastifyInstance, users: Users): void {
  app.decorateRequest('session', null)
  app.decorateRequest('sessionId', null)
  app.addHook('onRequest', async (req: FastifyRequest, reply: FastifyReply) => {
    const access = req.routeOptions.config.access
    if (access === undefined || access === 'public') return
    const id = cookieValue(req.headers.cookie, COOKIE)
    const s = id === null ? null : users.session(id)
    if (s === null) return reply.code(401).send({ error: 'login required' })
    if (access === 'change') {
      const token = req.headers['x-csrf-token']
      if (typeof token !== 'string' || !same(token, s.csrf)) return reply.code(403).send({ error: 'missing or wrong CSRF token' })
    }
    req.session = s
    req.sessionId = id
  })
}
