import type { Socket } from 'node:net'
import { headerValue } from '../core/http-head.ts'
import type { Predicate, RuleOutcome } from '../rules/types.ts'
import { runRules } from '../rules/compile.ts'
import type { StatsPagePlan } from '../config/plan.ts'
import { effectiveConnMode } from '../config/conn-mode.ts'
import { BodyKind, findHeadEnd, impossibleRequestStart, parseRequestHead, skipLeadingEmptyLines } from './http/head-parser.ts'
import { errorResponse, streamErrorResponse } from './http/errors.ts'
import { redirectReply, returnReply, saysConnectionClose, withConnectionHeader } from './http/local-reply.ts'
import { authReply } from './http/auth-reply.ts'
import { applyForwardFor } from './http/forwardfor.ts'
import { captureRequestBodyError, captureRequestError } from '../runtime/error-capture.ts'
import { statusClass, type FrontendRuntime } from './frontend-runtime.ts'
import { HttpServerSide, St } from './http-server-side.ts'
import type { ShutdownCode } from './server-runtime.ts'
import { persistFromCookie } from './cookie-persist.ts'
import { countHttpRequest } from '../rules/stick/track.ts'
import { TcpVerdict } from '../rules/tcp-rules.ts'

/** The interim answer to a request that sent "Expect: 100-continue" */
const CONTINUE = Buffer.from('HTTP/1.1 100 Continue\r\n\r\n', 'latin1')

/** One client connection in `mode http`: a loop of transactions (request
 *  head → rules → backend → server slot → connect or reuse → forward →
 *  response → log), then a websocket/CONNECT tunnel if upgraded.
 *  Bytes are forwarded as received; only heads are parsed and rebuilt.
 *  Contract: every slot taken on a server is released exactly once
 *  (releaseSlot), every socket opened is destroyed or parked when done. */
export class HttpSession extends HttpServerSide {
  /** bytes of a request head being accumulated */
  private inBuf: Buffer | null = null
  /** length of the current request's head (where HAProxy reports a bad trailer) */
  private reqHeadLen = 0
  /** a stats page admin POST waiting for the rest of its body */
  private waitingPage: StatsPagePlan | null = null

  constructor (cs: Socket, fe: FrontendRuntime) {
    super(cs, fe)
    if (!this.passAcceptRules()) return
    this.log.cookie = this.ck
    this.listenClient()
    this.armRequestTimer(fe.plan.timeouts.httpRequest || fe.plan.timeouts.client)
  }

  // ---- timers -------------------------------------------------------------

  private armRequestTimer (ms: number): void {
    this.clearTimer()
    if (ms > 0) this.timer = setTimeout(() => this.onRequestTimeout(), ms)
  }

  private onRequestTimeout (): void {
    this.timer = null
    if (this.state !== St.ReqHead) return
    if (!this.firstRequest && this.inBuf === null) { this.closeClient(); return }
    this.log.term('c', 'R')
    this.log.badRequest()
    this.answerError(408)
  }

  // ---- client side --------------------------------------------------------

  // event entry points (called by the shared socket handlers at the end of the file)

  onClientDrain (): void { if (this.ss !== null) this.ss.resume() }

  onClientData (d: Buffer): void {
    this.clientIdle.touch()
    this.fe.bytesIn += d.length
    this.log.bytesIn += d.length
    switch (this.state) {
      case St.ReqHead: this.feedHead(d); break
      case St.Assigning: this.feedBodyEarly(d, null); break
      case St.Exchange: this.feedBody(d); break
      case St.Tunnel: if (this.ss !== null && !this.writeServer(d)) this.cs.pause(); break
    }
  }

  private feedHead (d: Buffer): void {
    if (this.inBuf === null) {
      this.fe.process.idle.delete(this)
      this.log.requestStarts()
      const lead = skipLeadingEmptyLines(d)
      if (lead === d.length) return
      d = lead > 0 ? d.subarray(lead) : d
      this.inBuf = d
      // a keep-alive idle period ends with the first byte: now the request timer runs
      if (!this.firstRequest) this.armRequestTimer(this.fe.plan.timeouts.httpRequest || this.fe.plan.timeouts.client)
    } else {
      // PERF: a head split across packets is concatenated; heads are small and rarely split
      this.inBuf = Buffer.concat([this.inBuf, d])
    }
    const buf = this.inBuf
    const end = findHeadEnd(buf, 0)
    if (end < 0) {
      if (buf.length > this.fe.maxHead || impossibleRequestStart(buf)) { this.log.term('P', 'R'); this.log.badRequest(); this.captureInvalid(buf); this.answerError(400) }
      return
    }
    if (end > this.fe.maxHead) { this.log.term('P', 'R'); this.log.badRequest(); this.captureInvalid(buf); this.answerError(400); return }
    this.inBuf = null
    this.onRequestHead(buf, end)
  }

  /** Keeps an invalid request for `show errors`. */
  private captureInvalid (buf: Buffer): void { captureRequestError(this.fe, buf, this.srcAddr, this.srcPort) }

  private onRequestHead (buf: Buffer, end: number): void {
    const head = this.reqHead
    head.names.length = 0; head.lnames.length = 0; head.values.length = 0
    this.reqMeta.reset()
    const st = parseRequestHead(buf, end, head, this.reqMeta, this.fe.maxHdr)
    this.reqHeadLen = end
    this.fe.reqTotal++
    this.fe.process.totalReqs++
    if (st !== 0) { this.log.term('P', 'R'); this.log.badRequest(); this.captureInvalid(buf); this.answerError(st); return }
    this.req = head
    this.log.headReceived(head)
    // tcp-request content rules run before the HTTP ones, on the request's bytes
    this.reqData = buf
    const tcpVerdict = this.contentVerdict(this.fe.plan.tcpRequest)
    this.reqData = null
    if (tcpVerdict === TcpVerdict.Reject) { this.fe.denied++; this.log.term('P', 'R'); this.finish(true); return }
    countHttpRequest(this.stk)
    this.clearTimer()
    this.clientIdle.set(this.fe.plan.timeouts.client)
    // body framing of the request
    const m = this.reqMeta
    this.reqBody.start(m)
    this.state = St.Assigning
    const rest = end < buf.length ? buf.subarray(end) : null
    if (rest !== null) this.feedBodyEarly(rest, buf)
    // an invalid body in the same read was answered already
    if (this.state === St.Assigning) this.route()
  }

  onClientTimeout (): void {
    // closed on our side: the client did not close its side within timeout client-fin
    if (this.state === St.Closed) { this.cs.destroy(); return }
    if (this.state === St.Tunnel || (this.state === St.Exchange && !this.reqBody.done) || this.state === St.Assigning) {
      this.log.term('c', this.state === St.Tunnel ? 'D' : (this.reqBody.done ? 'H' : 'D'))
      this.finish(true)
    }
  }

  /** Splits <d> at the end of the current request body: the body part is
   *  returned (possibly empty), anything after goes to <pending>. <headRead>:
   *  the read of the head <d> ends, when they came together. */
  private takeBody (d: Buffer, headRead: Buffer | null): Buffer {
    const n = this.reqBody.take(d)
    if (n < 0) { this.invalidBody(d, headRead); return d.subarray(0, 0) }
    if (n < d.length) this.stash(d.subarray(n))
    return n === d.length ? d : d.subarray(0, n)
  }

  /** The chunked framing of body bytes <d> is invalid: kept for `show errors` as
   *  HAProxy keeps it (the read where it went wrong, its head too when they came
   *  together), then answered 400: by HAProxy's H1 parser with the head, by its
   *  HTTP layer once the stream had the request. */
  private invalidBody (d: Buffer, headRead: Buffer | null): void {
    captureRequestBodyError(this.fe, this.be, this.reqBody.chunks, { d, headRead, headLen: this.reqHeadLen }, this.srcAddr, this.srcPort)
    // logged as a bad request (as one with a bad head) when it came with the head
    if (headRead !== null) { this.log.term('P', 'R'); this.log.badRequest(); this.answerError(400); return }
    this.log.term('P', this.resStarted ? 'D' : 'H')
    this.answerRaw(streamErrorResponse(400, this.be?.plan.errorfiles ?? this.fe.plan.errorfiles), 400)
  }

  private stash (d: Buffer): void {
    if (d.length === 0) return
    this.pending = this.pending === null ? d : Buffer.concat([this.pending, d])
    this.cs.pause()
  }

  private feedBodyEarly (d: Buffer, headRead: Buffer | null): void {
    const body = this.takeBody(d, headRead)
    if (this.state === St.Closed) return
    if (body.length > 0) {
      this.early.push(body)
      this.earlyBytes += body.length
      // WHY: bounded buffering while no server is attached (HAProxy: one buffer)
      if (this.earlyBytes >= this.fe.global.tune.bufsize) this.cs.pause()
    }
    if (this.waitingPage !== null) this.serveLocalPage(this.waitingPage)
  }

  private feedBody (d: Buffer): void {
    const body = this.takeBody(d, null)
    if (this.state === St.Closed) return
    if (body.length > 0 && this.ss !== null) {
      this.countToServer(body.length)
      if (!this.writeServer(body)) this.cs.pause()
    }
    if (this.reqBody.done) this.maybeTxnDone()
  }

  onClientEnd (): void {
    // client half-closed: in a tunnel forward the FIN; otherwise stop reading
    if (this.state === St.Tunnel && this.ss !== null) { this.tunnelClientEnded(); return }
    if (this.state === St.ReqHead) {
      if (this.inBuf !== null) { this.log.term('C', 'R'); this.log.badRequest(); this.answerError(400) } else this.onClientClose()
    } else if (!this.reqBody.done) {
      this.log.term('C', 'D'); this.finish(true)
    }
  }

  onClientClose (): void {
    if (this.state === St.Closed) { this.clientIdle.set(0); return }
    if (this.state === St.ReqHead) {
      // HAProxy logs a first request that never came (unless dontlognull) as "CR" 400; an idle keep-alive end is silent
      const logIt = this.inBuf !== null || this.firstRequest
      if (logIt) { this.log.term('C', 'R'); this.log.badRequest(); this.log.localAnswer(400) }
      this.finish(logIt)
      return
    }
    // a tunnel closed after the client's FIN ended normally
    if (this.state !== St.Tunnel || !this.clientEnded) this.log.term('C', this.state === St.Assigning ? (this.fifoOwner !== null ? 'Q' : 'C') : (this.resStarted ? 'D' : 'H'))
    this.finish(true)
  }

  // ---- routing ------------------------------------------------------------

  /** Applies a final rule outcome; returns true when the request is answered here. */
  protected applyOutcome (o: RuleOutcome, errorfiles: ReadonlyMap<number, Buffer>): boolean {
    if (o.kind === 'allow' || o.kind === 'continue') return false
    if (o.kind === 'deny') {
      this.fe.denied++
      this.log.term('P', 'R')
      this.answerError(o.status, errorfiles)
      return true
    }
    this.log.term('L', 'R')
    if (o.kind === 'auth') { this.answerRaw(authReply(o.realm, errorfiles), 401); return true }
    if (o.kind === 'service') { this.answerRaw(this.fe.service(o.name, this.reqHead.method === 'HEAD'), 200); return true }
    this.answerRaw(o.kind === 'redirect' ? redirectReply(o.status, o.location) : returnReply(o.status, o.headers, o.body), o.status)
    return true
  }

  private route (): void {
    const fp = this.fe.plan
    if (fp.monitorUri !== null && this.reqHead.uri === fp.monitorUri) { this.answerMonitor(fp.monitorFail, fp.errorfiles); return }
    if (this.applyOutcome(runRules(fp.httpRequestRules, this), fp.errorfiles)) return
    if (fp.statsPage != null && this.serveLocalPage(fp.statsPage)) return
    const be = this.selectBackend()
    if (be === null) return
    // a backend's tcp-request content rules run as the stream enters it (HAProxy), before its http-request rules
    if (be.plan.name !== fp.name && this.contentVerdict(be.plan.tcpRequest) === TcpVerdict.Reject) { be.denied++; this.log.term('P', 'R'); this.finish(true); return }
    if (be.plan.name !== fp.name && this.applyOutcome(runRules(be.plan.httpRequestRules, this), be.plan.errorfiles)) return
    if (be.plan.name !== fp.name && be.plan.statsPage != null && this.serveLocalPage(be.plan.statsPage)) return
    this.mode = effectiveConnMode(fp.httpConnMode, be.plan.httpConnMode)
    const ff = be.plan.forwardFor ?? fp.forwardFor
    if (ff !== null) applyForwardFor(this.reqHead, ff, this.srcAddr)
    this.log.captureRequestCookie(this.reqHead)
    this.persistSrv = persistFromCookie(be, this, this.ck)
    this.log.queueStarts()
    this.requestSlot(null)
  }

  /** monitor-uri: 200 "Service ready", or 503 when a `monitor fail` condition holds. */
  private answerMonitor (fail: readonly Predicate[], errorfiles: ReadonlyMap<number, Buffer>): void {
    let failed = false
    for (const f of fail) if (f(this)) { failed = true; break }
    this.log.silence()
    this.answerError(failed ? 503 : 200, errorfiles)
  }

  /** `stats enable` pages are answered here (HAProxy logs them as local, "LR");
   *  an admin POST waits for its body (<waitingPage>, served again as it arrives). */
  private serveLocalPage (page: StatsPagePlan): boolean {
    const h = this.reqHead
    const raw = this.fe.localPage(page, {
      method: h.method, uri: h.uri, authorization: headerValue(h, 'authorization'), admin: page.admin !== null && page.admin(this),
      body: this.early, bodyBytes: this.earlyBytes, bodyComplete: this.reqBody.done, chunked: this.reqMeta.bodyKind === BodyKind.Chunked
    })
    // a client waiting for "100 Continue" is told to send the body the page waits for (as HAProxy)
    if (raw === 'wait' && this.waitingPage === null && this.reqMeta.expectContinue) this.writeClient(CONTINUE)
    this.waitingPage = raw === 'wait' ? page : null
    if (raw === 'wait') return true
    if (raw === null) return false
    this.log.term('L', 'R')
    this.answerRaw(raw, Number(raw.toString('latin1', 9, 12)))
    return true
  }

  protected isOver (): boolean { return this.state === St.Closed }

  protected refuse (): void { this.answerError(503) }

  shutdownByServer (code: ShutdownCode): void {
    this.log.term(code, '-')
    this.finish(true)
  }

  // ---- end of a transaction -------------------------------------------------

  protected maybeTxnDone (): void {
    if (!this.resBody.done || this.state !== St.Exchange) return
    if (!this.reqBody.done) {
      // the server answered before the whole request arrived: the connection cannot be reused
      this.clientKeepAlive = false
      this.dropServer(false)
    }
    this.fe.countStatus(this.resHead.status)
    const sc = statusClass(this.resHead.status)
    if (this.be !== null) this.be.hrsp[sc]++
    if (this.srv !== null) this.srv.hrsp[sc]++
    const srvKa = this.resMeta.v11 ? !this.resMeta.connClose : this.resMeta.connKeepAlive
    this.dropServer(srvKa && this.mode === 'keep-alive' && this.reqBody.done)
    this.endTracked(this.resHead.status, false)
    this.log.emit()
    if (this.clientKeepAlive) this.nextRequest()
    else this.closeClient()
  }

  private nextRequest (): void {
    this.state = St.ReqHead
    this.firstRequest = false
    this.req = null
    this.res = null
    this.be = null
    this.beName = ''
    this.vars.clear()
    this.serverTimeout = -1
    this.tunnelTimeout = -1
    this.early.length = 0
    this.earlyBytes = 0
    this.log.reset()
    this.clientIdle.set(0)
    const fp = this.fe.plan
    this.armRequestTimer(fp.timeouts.httpKeepAlive || fp.timeouts.httpRequest || fp.timeouts.client)
    this.cs.resume()
    this.fe.process.idle.add(this)
    if (this.pending !== null) { const p = this.pending; this.pending = null; this.feedHead(p) }
  }

  /** Soft stop: a client waiting between requests is closed now. */
  closeIdle (): void {
    if (this.state === St.ReqHead && this.inBuf === null) this.closeClient()
  }

  // ---- answers generated here ----------------------------------------------

  protected answerError (code: number, errorfiles?: ReadonlyMap<number, Buffer>): void {
    const files = errorfiles ?? this.be?.plan.errorfiles ?? this.fe.plan.errorfiles
    this.answerRaw(errorResponse(code, files), code)
  }

  /** Sends a response generated here. As HAProxy 2.6's H1 layer: the client connection
   *  is kept for the next request when the client wants it and its request was read
   *  whole (an HTTP/1.0 client is told `connection: keep-alive`); otherwise a parsed
   *  request is told `connection: close` (unless <raw> says it) and the connection is closed. */
  private answerRaw (raw: Buffer, status: number): void {
    if (this.state === St.Closed) return
    this.clearTimer()
    this.dropServer(false)
    this.log.localAnswer(status)
    this.fe.countStatus(status)
    // an unparsed request gets the reply as it is, and the connection closes
    const ownClose = this.req === null || saysConnectionClose(raw)
    const keep = !ownClose && this.reqBody.done && this.clientMayStay()
    if (ownClose) this.writeClient(raw)
    else if (!keep) this.writeClient(withConnectionHeader(raw, 'close'))
    else this.writeClient(this.reqMeta.v11 ? raw : withConnectionHeader(raw, 'keep-alive'))
    this.endTracked(status, false)
    this.log.emit()
    this.clientKeepAlive = keep
    if (keep) this.nextRequest()
    else this.closeClient()
  }

  protected closeClient (): void {
    if (this.state === St.Closed) return
    this.state = St.Closed
    this.clearTimer()
    this.kept.release(this.mayPool())
    this.releaseSlot()
    this.cs.end()
    // the client has <fin> to close its side; onClientTimeout then destroys the socket
    this.clientIdle.set(this.fe.plan.timeouts.clientFin || this.fe.plan.timeouts.client)
    this.endSession()
  }

  /** Ends the stream at once: both connections destroyed, logged if <logIt>. */
  protected finish (logIt: boolean): void {
    if (this.state === St.Closed) return
    // logged once the server connection is let go (its server's %sc no longer counts it, as HAProxy)
    this.dropServer(false)
    if (logIt) this.log.emit()
    this.state = St.Closed
    this.clearTimer()
    this.kept.release(this.mayPool())
    this.clientIdle.set(0)
    this.cs.destroy()
    this.endSession()
  }

  private sessionEnded = false
  private endSession (): void {
    if (this.sessionEnded) return
    this.sessionEnded = true
    // the bytes went with each transaction's end
    this.endTracked(0, true, false)
    this.fe.process.idle.delete(this)
    this.fe.cur--
    this.fe.process.actconn--
    this.fe.process.sessionClosed()
  }
}
