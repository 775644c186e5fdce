import { randomBytes, scryptSync, timingSafeEqual, createHash } from 'node:crypto'
import type { Database, Statement } from './sqlite.ts'

// scrypt cost: N=2^14, r=8 is ~16 MiB and ~50 ms on a small ARM core, once per login
const N = 16384, R = 8, P = 1, KEYLEN = 32

/** "scrypt$N$r$p$salt$hash" (base64url), self-describing so the cost can change later. */
export function hashPassword (password: string): string {
  const salt = randomBytes(16)
  const key = scryptSync(password, salt, KEYLEN, { N, r: R, p: P })
  return `scrypt$${N}$${R}$${P}$${salt.toString('base64url')}$${key.toString('base64url')}`
}

export function verifyPassword (password: string, stored: string): boolean {
  const parts = stored.split('$')
  if (parts.length !== 6 || parts[0] !== 'scrypt') return false
  const [n, r, p] = [Number(parts[1]), Number(parts[2]), Number(parts[3])]
  const want = Buffer.from(parts[5], 'base64url')
  const got = scryptSync(password, Buffer.from(parts[4], 'base64url'), want.length, { N: n, r, p, maxmem: 256 * n * r })
  return timingSafeEqual(got, want)
}

function sha256 (s: string): string { return createHash('sha256').update(s).digest('hex') }

export interface SessionInfo { readonly user: string; readonly csrf: string; readonly expires: number }

/** Users (scrypt hashes) and login sessions. Only a hash of a session id is
 *  stored, so a copy of the database does not log anyone in. Written at once
 *  (not batched): a login must survive a crash right after it is answered. */
export class Users {
  private readonly countStmt: Statement
  private readonly insertStmt: Statement<[string, string, number]>
  private readonly getStmt: Statement<[string]>
  private readonly setHashStmt: Statement<[string, string]>
  private readonly newSession: Statement<[string, string, string, number, number]>
  private readonly getSession: Statement<[string, number]>
  private readonly delSession: Statement<[string]>
  private readonly purge: Statement<[number]>

  constructor (db: Database, private readonly sessionMs = 12 * 3600_000) {
    this.countStmt = db.prepare('SELECT count(*) AS n FROM users')
    this.insertStmt = db.prepare('INSERT INTO users (name, hash, created) VALUES (?, ?, ?)')
    this.getStmt = db.prepare('SELECT hash FROM users WHERE name = ?')
    this.setHashStmt = db.prepare('UPDATE users SET hash = ? WHERE name = ?')
    this.newSession = db.prepare('INSERT INTO sessions (id_hash, user, csrf, created, expires) VALUES (?, ?, ?, ?, ?)')
    this.getSession = db.prepare('SELECT user, csrf, expires FROM sessions WHERE id_hash = ? AND expires > ?')
    this.delSession = db.prepare('DELETE FROM sessions WHERE id_hash = ?')
    this.purge = db.prepare('DELETE FROM sessions WHERE expires <= ?')
  }

  count (): number { return (this.countStmt.get() as { n: number }).n }

  create (name: string, password: string): void { this.insertStmt.run(name, hashPassword(password), Date.now()) }

  setPassword (name: string, password: string): void { this.setHashStmt.run(hashPassword(password), name) }

  /** true when <password> is <name>'s. Unknown users cost the same scrypt time. */
  check (name: string, password: string): boolean {
    const row = this.getStmt.get(name) as { hash: string } | undefined
    if (row === undefined) { hashPassword(password); return false }
    return verifyPassword(password, row.hash)
  }

  /** Opens a session for <user>; returns the cookie value and its CSRF token. */
  openSession (user: string, now = Date.now()): { id: string; csrf: string } {
    this.purge.run(now)
    const id = randomBytes(32).toString('base64url')
    const csrf = randomBytes(24).toString('base64url')
    this.newSession.run(sha256(id), user, csrf, now, now + this.sessionMs)
    return { id, csrf }
  }

  session (id: string, now = Date.now()): SessionInfo | null {
    return (this.getSession.get(sha256(id), now) as SessionInfo | undefined) ?? null
  }

  closeSession (id: string): void { this.delSession.run(sha256(id)) }
}
