import type { HttpHead } from '../core/http-head.ts'
import type { StreamView } from '../core/stream-view.ts'
import { addHeader } from '../core/http-head.ts'
import type { CookiePlan } from '../config/plan.ts'
import type { BackendRuntime } from './backend-runtime.ts'
import type { ServerRuntime } from './server-runtime.ts'
import { ReqCookieState, ResCookieState, type ReqCookieCode, type ResCookieCode } from '../log/term-state.ts'

/** Cookie persistence of one HTTP transaction (HAProxy `cookie <name>
 *  insert|rewrite|prefix`, server `cookie <value>`): the request's cookie
 *  names a server; the response gets the cookie that leads the client back.
 *  One per session, reset per transaction. The flags are the 3rd and 4th
 *  characters of the log's termination state. */
export class CookieTxn {
  /** server the client's cookie designates (null: none, unknown, or down without `option persist`) */
  srv: ServerRuntime | null = null
  req: ReqCookieCode = ReqCookieState.notConfigured
  res: ResCookieCode = ResCookieState.notConfigured
  /** an ignore-persist rule matched: no server from the cookie, no cookie inserted */
  ignored = false
  /** insert mode with maxidle/maxlife: the cookie's last-seen and first dates (Unix seconds, 0 = none) */
  lastDate = 0
  firstDate = 0

  /** The designated server failed and the stream went elsewhere: HAProxy then logs the cookie as pointing to a down server. */
  redispatched (): void {
    if (this.req === ReqCookieState.valid) this.req = ReqCookieState.downServer
  }

  reset (): void {
    this.srv = null
    this.ignored = false
    this.lastDate = 0; this.firstDate = 0
    this.req = ReqCookieState.notConfigured; this.res = ResCookieState.notConfigured
  }
}

/** PREFIX mode separates the server's cookie value from the application's. */
const PREFIX_DELIM = '~'
/** insert mode with maxidle/maxlife appends dates after this character */
const DATE_DELIM = '|'
/** a cookie date further than this in the future is refused (HAProxy: timezone mistakes) */
const FUTURE_SLACK = 86400

/** HAProxy's base64 alphabet for cookie dates: 30-bit numbers of 4-second
 *  units since the epoch, 5 characters, most significant first. */
const B64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/'

function dateText (sec: number): string {
  let v = Math.floor(sec / 4)
  let out = ''
  for (let i = 0; i < 5; i++) { out = B64[v & 0x3f] + out; v = Math.floor(v / 64) }
  return out
}

/** The date of the 5 characters at <at> of <text> in seconds, 0 when absent or invalid. */
function readDate (text: string, at: number): number {
  if (text.length - at < 5) return 0
  let v = 0
  for (let i = at; i < at + 5; i++) {
    const d = B64.indexOf(text[i])
    if (d < 0) return 0
    v = v * 64 + d
  }
  return v * 4
}

const nowSec = (): number => Math.floor(Date.now() / 1000)

/** Reads the `|last|first` dates after <bar> in <value> into <txn>, then
 *  applies maxlife, then maxidle: an expired cookie is as good as absent
 *  (logged O or E). Returns the value to look the server up with. */
function datedValue (ck: CookiePlan, value: string, bar: number, txn: CookieTxn): string {
  txn.lastDate = readDate(value, bar + 1)
  const bar2 = value.indexOf(DATE_DELIM, bar + 1)
  txn.firstDate = bar2 < 0 || value.length - bar2 <= 5 ? 0 : readDate(value, bar2 + 1)
  const now = nowSec()
  const maxlife = Math.floor(ck.maxlife / 1000)
  const maxidle = Math.floor(ck.maxidle / 1000)
  const outOfRange = (d: number, max: number): boolean => now - d > max || d - now > FUTURE_SLACK
  let expired: ReqCookieCode | null = null
  if (txn.firstDate !== 0 && maxlife > 0 && outOfRange(txn.firstDate, maxlife)) expired = ReqCookieState.old
  else if (txn.lastDate !== 0 && maxidle > 0 && outOfRange(txn.lastDate, maxidle)) expired = ReqCookieState.expired
  if (expired === null) return value.slice(0, bar)
  txn.req = expired
  txn.lastDate = 0; txn.firstDate = 0
  return ''
}

function serverByCookie (be: BackendRuntime, value: string): ServerRuntime | null {
  for (const s of be.servers) if (s.plan.cookie !== null && s.plan.cookie === value) return s
  return null
}

/** Starts <txn> for the request of <view> to <be>: the server its cookie
 *  leads to, if any. The first force-persist/ignore-persist rule that
 *  matches decides whether a down server is still chosen, or the cookie ignored. */
export function persistFromCookie (be: BackendRuntime, view: StreamView, txn: CookieTxn): ServerRuntime | null {
  txn.reset()
  const ck = be.plan.cookie
  if (ck === null || view.req === null) return null
  let force = be.plan.persist
  const rules = be.plan.persistRules
  if (rules !== undefined) {
    for (let i = 0; i < rules.length; i++) {
      if (!rules[i].cond(view)) continue
      if (rules[i].force) force = true
      else txn.ignored = true
      break
    }
  }
  requestCookie(be, ck, view.req, txn, force)
  if (txn.ignored) {
    txn.srv = null
    if (txn.req !== ReqCookieState.none) txn.req = ReqCookieState.unused
  }
  return txn.srv
}

/** Request side: reads the persistence cookie of <req> into <txn>, and
 *  removes it (insert + indirect) or its prefix (prefix mode) before the
 *  request goes to the server. <persist>: `option persist` or force-persist,
 *  a cookie naming a server that is down still leads to it. */
export function requestCookie (be: BackendRuntime, ck: CookiePlan, req: HttpHead, txn: CookieTxn, persist: boolean): void {
  txn.req = ReqCookieState.none
  txn.res = ResCookieState.none
  const strip = ck.mode === 'insert' && ck.indirect
  for (let i = 0; i < req.lnames.length; i++) {
    if (req.lnames[i] !== 'cookie') continue
    const parts = req.values[i].split(';')
    let changed = false
    for (let j = 0; j < parts.length; j++) {
      const part = parts[j]
      const eq = part.indexOf('=')
      if (eq < 0 || part.slice(0, eq).trim() !== ck.name) continue
      let value = part.slice(eq + 1).trim()
      if (ck.mode === 'prefix') {
        const d = value.indexOf(PREFIX_DELIM)
        if (d < 0) continue
        parts[j] = part.slice(0, eq + 1) + value.slice(d + 1)
        value = value.slice(0, d)
        changed = true
      } else if (ck.mode === 'insert') {
        const d = value.indexOf(DATE_DELIM)
        if (d >= 0) value = datedValue(ck, value, d, txn)
      }
      if (strip) { parts.splice(j, 1); j--; changed = true }
      if (txn.req !== ReqCookieState.none) continue
      const srv = value === '' ? null : serverByCookie(be, value)
      if (srv === null) txn.req = ReqCookieState.invalid
      else if (srv.usable) { txn.req = ReqCookieState.valid; txn.srv = srv } else {
        // HAProxy logs a down server's cookie as such even when persistence is forced
        txn.req = ReqCookieState.downServer
        if (persist) txn.srv = srv
      }
    }
    if (!changed) continue
    const v = parts.map(p => p.trim()).filter(p => p !== '').join('; ')
    if (v === '') { req.names.splice(i, 1); req.lnames.splice(i, 1); req.values.splice(i, 1); i-- } else req.values[i] = v
  }
}

/** Freshness information or a validator make a response cacheable (HAProxy
 *  adds `cache-control: private` to those under `nocache`); explicit
 *  public/private/no-cache/no-store directives leave it alone. */
function cacheable (res: HttpHead): boolean {
  let fresh = false
  for (let i = 0; i < res.lnames.length; i++) {
    const n = res.lnames[i]
    if (n === 'last-modified' || n === 'expires') fresh = true
    else if (n === 'cache-control') {
      const v = res.values[i].toLowerCase()
      if (/\b(public|private|no-cache|no-store)\b/.test(v)) return false
      if (/\b(s-)?max-age\b/.test(v)) fresh = true
    }
  }
  return fresh
}

/** A valid cookie is inserted again (HAProxy) when its last date has passed
 *  (maxidle, or dates without maxidle), or when maxlife gains or loses its first date. */
function datesOutdated (ck: CookiePlan, txn: CookieTxn): boolean {
  if ((ck.maxidle > 0 || txn.lastDate !== 0) && (txn.lastDate === 0 || txn.lastDate < nowSec())) return true
  return (ck.maxlife > 0) === (txn.firstDate === 0)
}

/** `|<last>[|<first>]` after the server's value when maxidle/maxlife are set; the
 *  dates are rounded up to HAProxy's 4-second units (now + 3). */
function dates (ck: CookiePlan, txn: CookieTxn): string {
  if (ck.maxidle === 0 && ck.maxlife === 0) return ''
  const now = dateText(nowSec() + 3)
  if (ck.maxlife === 0) return DATE_DELIM + now
  return DATE_DELIM + now + DATE_DELIM + (txn.firstDate !== 0 ? dateText(txn.firstDate) : now)
}

/** Response side, for a response of <srv>: rewrites or prefixes the
 *  server's own cookie, or (insert) drops it and appends ours. */
export function responseCookie (ck: CookiePlan, res: HttpHead, srv: ServerRuntime, txn: CookieTxn, method: string): void {
  let preserved = false
  for (let i = 0; i < res.lnames.length; i++) {
    if (res.lnames[i] !== 'set-cookie') continue
    const v = res.values[i]
    const eq = v.indexOf('=')
    if (eq < 0 || v.slice(0, eq).trim() !== ck.name) continue
    if (ck.mode === 'insert') {
      if (ck.preserve) { preserved = true; continue }
      res.names.splice(i, 1); res.lnames.splice(i, 1); res.values.splice(i, 1); i--
      txn.res = ResCookieState.deleted
    } else if (ck.mode === 'passive') {
      txn.res = ResCookieState.passive
    } else if (srv.plan.cookie !== null) {
      const semi = v.indexOf(';', eq)
      const appValue = v.slice(eq + 1, semi < 0 ? v.length : semi)
      const value = ck.mode === 'rewrite' ? srv.plan.cookie : srv.plan.cookie + PREFIX_DELIM + appValue
      res.values[i] = v.slice(0, eq + 1) + value + (semi < 0 ? '' : v.slice(semi))
      txn.res = ResCookieState.rewritten
    }
  }
  // the client's cookie already leads to the server that answered: nothing to insert, unless its dates need a refresh
  const direct = txn.srv === srv
  if (ck.mode !== 'insert' || preserved || txn.ignored || (direct && !datesOutdated(ck, txn))) return
  if (ck.postonly && method !== 'POST') return
  let text = srv.plan.cookie === null ? `${ck.name}=; Expires=Thu, 01-Jan-1970 00:00:01 GMT; path=/` : `${ck.name}=${srv.plan.cookie}${dates(ck, txn)}; path=/`
  for (const d of ck.domain) text += '; domain=' + d
  if (ck.httponly) text += '; HttpOnly'
  if (ck.secure) text += '; Secure'
  for (const a of ck.attrs) text += '; ' + a
  addHeader(res, 'set-cookie', text)
  txn.res = direct ? ResCookieState.updated : ResCookieState.inserted
  if (ck.nocache && cacheable(res)) addHeader(res, 'cache-control', 'private')
}
