import type { HttpHead } from '../core/http-head.ts'
import { headerValue } from '../core/http-head.ts'
import type { StreamView } from '../core/stream-view.ts'
import type { TlsHolder } from '../rules/fetches/ssl.ts'
import type { LogRecord } from '../log/types.ts'
import type { FrontendRuntime } from './frontend-runtime.ts'
import type { ServerRuntime } from './server-runtime.ts'
import type { BackendRuntime } from './backend-runtime.ts'
import type { CookieTxn } from './cookie-persist.ts'
import type { CaptureCookiePlan } from '../config/plan.ts'

/** Whole milliseconds from <a> to <b>, or -1 when either moment never came. */
function ms (a: number, b: number): number {
  return a < 0 || b < 0 ? -1 : Math.round(b - a)
}

/** `capture cookie <name> len <n>` (HAProxy's cookie managers): the first
 *  cookie of <lname> headers whose name starts with <name>, as "name=value"
 *  cut to <len>. Set-Cookie lines hold one cookie, followed by its attributes. */
function capturedCookie (h: HttpHead, lname: string, ck: CaptureCookiePlan): string | undefined {
  for (let i = 0; i < h.lnames.length; i++) {
    if (h.lnames[i] !== lname) continue
    const parts = lname === 'cookie' ? h.values[i].split(';') : [h.values[i].split(';', 1)[0]]
    for (const part of parts) {
      const c = part.trim()
      const eq = c.indexOf('=')
      if (eq >= ck.name.length && c.startsWith(ck.name)) return c.slice(0, ck.len)
    }
  }
  return undefined
}

/** Per-stream timers, counters and termination state that become the access
 *  log line (HAProxy's %Ti %TR %Tw %Tc %Tr %Ta %Tt, %tsc, retries...).
 *  One per client connection, reset between keep-alive transactions.
 *  Times are taken with performance.now() (monotonic); dates with Date.now(). */
export class StreamLog {
  private readonly acceptWall = Date.now()
  private readonly acceptMono = performance.now()
  /** start of the current transaction's idle period */
  private idleFrom = this.acceptMono
  private reqStart = -1
  private reqStartWall = 0
  private headDone = -1
  private queueFrom = -1
  private connFrom = -1
  private connDone = -1
  private resHead = -1
  private termA = '-'
  private termB = '-'
  private status = -1
  private srv: ServerRuntime | null = null
  private be: BackendRuntime | null = null
  private requestLineText = ''
  private method = ''
  private uri = ''
  private version = ''
  private reqCaps: string[] = []
  private resCaps: string[] = []
  /** `capture cookie`: "name=value" of the request's / the response's cookie, '-' when none */
  private reqCookie = '-'
  private resCookie = '-'
  private logged = false
  /** HAProxy logs 0 bytes for answers its HTTP/1 parser sends (400/408 before a request) */
  private hideBytes = false
  bytesIn = 0
  bytesOut = 0
  retries = 0
  redispatched = false
  /** cookie persistence of the transaction (3rd and 4th termination state characters), set by HTTP streams */
  cookie: CookieTxn | null = null

  constructor (private readonly fe: FrontendRuntime, private readonly view: StreamView) {}

  reset (): void {
    this.idleFrom = performance.now()
    this.reqStart = -1; this.headDone = -1; this.queueFrom = -1; this.connFrom = -1; this.connDone = -1; this.resHead = -1
    this.termA = '-'; this.termB = '-'; this.status = -1; this.srv = null; this.be = null
    this.requestLineText = ''; this.method = ''; this.uri = ''; this.version = ''
    this.reqCaps = []; this.resCaps = []
    this.reqCookie = '-'; this.resCookie = '-'
    this.logged = false
    this.hideBytes = false
    this.bytesIn = 0; this.bytesOut = 0; this.retries = 0; this.redispatched = false
  }

  /** Sets the termination state once: the first cause wins (HAProxy keeps the first error). */
  term (a: string, b: string): void {
    if (this.termA !== '-') return
    this.termA = a; this.termB = b
  }

  requestStarts (): void {
    if (this.reqStart >= 0) return
    this.reqStart = performance.now()
    this.reqStartWall = Date.now()
  }

  headReceived (h: HttpHead): void {
    this.headDone = performance.now()
    this.method = h.method; this.uri = h.uri; this.version = h.version
    this.requestLineText = h.method + ' ' + h.uri + ' ' + h.version
    const caps = this.fe.plan.captures
    if (caps.length > 0) {
      this.reqCaps = caps.map(c => { const v = headerValue(h, c.lname, -1); return v === undefined ? '' : v.slice(0, c.len) })
    }
    // the response slots exist (empty) from now on: a local answer logs them as "{}"
    const resCaps = this.fe.plan.responseCaptures
    if (resCaps.length > 0) this.resCaps = resCaps.map(() => '')
  }

  /** `capture cookie`, request side: HAProxy reads it once the request passed its
   *  rules and has a backend, before the persistence cookie is taken out. */
  captureRequestCookie (h: HttpHead): void {
    const ck = this.fe.plan.captureCookie
    if (ck != null) this.reqCookie = capturedCookie(h, 'cookie', ck) ?? '-'
  }

  /** A capture slot filled by a rule (`http-request|response capture`), cut to
   *  the slot's length; a slot this frontend does not have is ignored (HAProxy). */
  capture (response: boolean, id: number, value: string): void {
    const caps = response ? this.fe.plan.responseCaptures : this.fe.plan.captures
    const slots = response ? this.resCaps : this.reqCaps
    if (id < slots.length) slots[id] = value.length > caps[id].len ? value.slice(0, caps[id].len) : value
  }

  /** The content of a capture slot (capture.req.hdr / capture.res.hdr); undefined when empty. */
  captured (response: boolean, id: number): string | undefined {
    const v = (response ? this.resCaps : this.reqCaps)[id]
    return v === '' ? undefined : v
  }

  /** The request could not be parsed (or never came): logged as "<BADREQ>", without
   *  a head time (a head parsed before its body was found invalid in the same read included). */
  badRequest (): void {
    this.requestStarts()
    this.headDone = -1
    this.requestLineText = '<BADREQ>'
    this.hideBytes = true
  }

  backendChosen (be: BackendRuntime): void { this.be = be }

  queueStarts (): void { this.queueFrom = performance.now() }

  connectStarts (srv: ServerRuntime): void {
    this.srv = srv
    if (this.connFrom < 0) this.connFrom = performance.now()
  }

  connected (): void { this.connDone = performance.now() }

  responseHead (h: HttpHead): void {
    this.resHead = performance.now()
    this.status = h.status
    const caps = this.fe.plan.responseCaptures
    if (caps.length > 0) {
      this.resCaps = caps.map(c => { const v = headerValue(h, c.lname, -1); return v === undefined ? '' : v.slice(0, c.len) })
    }
    const ck = this.fe.plan.captureCookie
    if (ck != null) this.resCookie = capturedCookie(h, 'set-cookie', ck) ?? '-'
  }

  localAnswer (status: number): void { this.status = status }

  /** This transaction is not logged (monitor-uri requests, as in HAProxy). */
  silence (): void { this.logged = true }

  emit (): void {
    if (this.logged) return
    this.logged = true
    const fe = this.fe
    const log = fe.accessLog
    const tap = fe.process.recordTap
    if (log === null && tap === null) return
    if (fe.plan.dontlognull && this.bytesIn === 0 && this.reqStart < 0) return
    const now = performance.now()
    const reqStart = this.reqStart < 0 ? now : this.reqStart
    const rec: LogRecord = {
      clientIp: this.view.srcAddr,
      clientPort: this.view.srcPort,
      frontendIp: this.view.dstAddr,
      frontendPort: this.view.dstPort,
      acceptDate: this.acceptWall,
      requestDate: this.reqStart < 0 ? Date.now() : this.reqStartWall,
      feName: fe.plan.name,
      feSsl: ((this.view as Partial<TlsHolder>).clientTls ?? null) !== null,
      beName: this.be === null ? fe.plan.name : this.be.plan.name,
      srvName: this.srv === null || this.connDone < 0 ? '<NOSRV>' : this.srv.name,
      serverIp: this.srv?.host ?? '',
      serverPort: this.srv?.port ?? 0,
      TR: ms(reqStart, this.headDone),
      Tw: this.queueFrom < 0 ? -1 : ms(this.queueFrom, this.connFrom < 0 ? (this.termB === 'Q' ? now : -1) : this.connFrom),
      Tc: ms(this.connFrom, this.connDone),
      Tr: ms(this.connDone, this.resHead),
      Ta: Math.round(now - reqStart),
      Tt: Math.round(now - this.acceptMono),
      Th: 0,
      Ti: Math.round(reqStart - this.idleFrom),
      status: this.status,
      bytesOut: this.hideBytes ? 0 : this.bytesOut,
      bytesIn: this.bytesIn,
      capturedReqCookie: this.reqCookie,
      capturedResCookie: this.resCookie,
      termState: this.termA + this.termB + (this.cookie === null ? '--' : this.cookie.req + this.cookie.res),
      actconn: fe.process.actconn,
      feconn: fe.cur,
      beconn: this.be?.cur ?? 0,
      srvconn: this.srv?.cur ?? 0,
      retries: this.retries,
      redispatched: this.redispatched,
      srvQueue: this.srv?.queue.length ?? 0,
      beQueue: this.be?.queue.length ?? 0,
      reqCaptures: this.reqCaps,
      resCaptures: this.resCaps,
      requestLine: this.requestLineText === '' ? '<BADREQ>' : this.requestLineText,
      method: this.method,
      uri: this.uri,
      httpVersion: this.version,
      uniqueId: ''
    }
    log?.emit(rec, this.view)
    tap?.(rec)
  }
}
