import type { Api } from './api-schema.ts'
import { str, obj } from './api-schema.ts'
import type { Store } from '../store/store.ts'
import { LoginLimiter, SetupToken, sessionCookie, CLEAR_COOKIE, cookieValue, COOKIE } from './auth.ts'

const ADMIN = 'admin'
const password = str({ minLength: 8, maxLength: 200 })

/** First start (set the admin password with the console's setup token), login, logout, state. */
export function authRoutes (api: Api, store: Store, setup: SetupToken, limiter: LoginLimiter, secure: boolean): void {
  const { users, events } = store
  api.route({ method: 'GET', url: '/api/auth/state', summary: 'Whether the first-start setup is needed, and the session (user, csrf) if logged in', access: 'public' },
    async (req) => {
      const id = cookieValue(req.headers.cookie, COOKIE)
      const s = id === null ? null : users.session(id)
      return { setupRequired: users.count() === 0, user: s?.user ?? null, csrf: s?.csrf ?? null }
    })

  api.route({ method: 'POST', url: '/api/auth/setup', summary: 'First start: set the admin password (needs the one-time token printed on the console)', access: 'public', body: obj({ token: str(), password }, ['token', 'password']) },
    async (req, reply) => {
      const { token, password: pw } = req.body as { token: string; password: string }
      if (users.count() > 0) return reply.code(409).send({ error: 'already set up' })
      if (limiter.blocked(req.ip)) return reply.code(429).send({ error: 'too many attempts, wait a minute' })
      if (!setup.check(token)) { limiter.failed(req.ip); return reply.code(403).send({ error: 'wrong setup token (see the console)' }) }
      users.create(ADMIN, pw)
      setup.consume()
      events.audit(ADMIN, 'setup', 'admin password set')
      const s = users.openSession(ADMIN)
      reply.header('set-cookie', sessionCookie(s.id, secure))
      return { user: ADMIN, csrf: s.csrf }
    })

  api.route({ method: 'POST', url: '/api/auth/login', summary: 'Log in; sets the session cookie and returns the CSRF token', access: 'public', body: obj({ user: str({ maxLength: 64 }), password: str({ maxLength: 200 }) }, ['user', 'password']) },
    async (req, reply) => {
      const { user, password: pw } = req.body as { user: string; password: string }
      if (limiter.blocked(req.ip)) return reply.code(429).send({ error: 'too many failed logins, wait a minute' })
      if (!users.check(user, pw)) {
        limiter.failed(req.ip)
        events.audit(user, 'login-failed', req.ip)
        return reply.code(401).send({ error: 'wrong user or password' })
      }
      limiter.succeeded(req.ip)
      events.audit(user, 'login', req.ip)
      const s = users.openSession(user)
      reply.header('set-cookie', sessionCookie(s.id, secure))
      return { user, csrf: s.csrf }
    })

  api.route({ method: 'POST', url: '/api/auth/logout', summary: 'Close the session', access: 'change' },
    async (req, reply) => {
      if (req.sessionId !== null) users.closeSession(req.sessionId)
      reply.header('set-cookie', CLEAR_COOKIE)
      return { ok: true }
    })

  api.route({ method: 'POST', url: '/api/auth/password', summary: 'Change the password of the logged-in user', access: 'change', body: obj({ current: str(), password }, ['current', 'password']) },
    async (req, reply) => {
      const { current, password: pw } = req.body as { current: string; password: string }
      const user = req.session!.user
      if (!users.check(user, current)) return reply.code(403).send({ error: 'wrong current password' })
      users.setPassword(user, pw)
      events.audit(user, 'password', '')
      return { ok: true }
    })
}
