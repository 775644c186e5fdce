import type { Socket } from 'node:net'
import { newHead, headerValue, type HttpHead } from '../core/http-head.ts'
import type { ActionTarget, Predicate, RuleOutcome } from '../rules/types.ts'
import { runRules } from '../rules/compile.ts'
import type { HttpConnMode, StatsPagePlan } from '../config/plan.ts'
import { effectiveConnMode } from '../config/conn-mode.ts'
import { BodyKind, HeadMeta, findHeadEnd, impossibleRequestStart, parseRequestHead, parseResponseHead, skipLeadingEmptyLines } from './http/head-parser.ts'
import { ChunkedScanner } from './http/chunked.ts'
import { errorResponse } from './http/errors.ts'
import { redirectReply, returnReply, withConnectionClose } from './http/local-reply.ts'
import { serializeHead, requestLine, statusLine } from './http/serialize.ts'
import { applyForwardFor } from './http/forwardfor.ts'
import type { ServerRuntime } from './server-runtime.ts'
import { connectServer } from './server-connect.ts'
import { statusClass, type FrontendRuntime } from './frontend-runtime.ts'
import { StreamBase } from './stream-base.ts'
import { KeptConnection, IDEMPOTENT } from './kept-connection.ts'
import { CookieTxn, persistFromCookie, responseCookie } from './cookie-persist.ts'
import { stickStore } from './stick-rules.ts'
import { countHttpRequest } from '../rules/stick/track.ts'
import { TcpVerdict } from '../rules/tcp-rules.ts'

const St = { ReqHead: 0, Assigning: 1, Exchange: 2, Tunnel: 3, Closed: 4 } as const


/** One client connection in `mode http`: a loop of transactions (request
 *  head → rules → backend → server slot → connect or reuse → forward →
 *  response → log), then a websocket/CONNECT tunnel if upgraded.
 *  Bytes are forwarded as received; only heads are parsed and rebuilt.
 *  Contract: every slot taken on a server is released exactly once
 *  (releaseSlot), every socket opened is destroyed or parked when done. */
export class HttpSession extends StreamBase implements ActionTarget {
  get head (): HttpHead { return this.res ?? this.reqHead }

  private state: number = St.ReqHead
  private readonly reqHead = newHead()
  private readonly reqMeta = new HeadMeta()
  private readonly resHead = newHead()
  private readonly resMeta = new HeadMeta()
  private readonly reqChunks = new ChunkedScanner()
  private readonly resChunks = new ChunkedScanner()
  /** bytes of a request head being accumulated */
  private inBuf: Buffer | null = null
  /** bytes received after the current request (pipelining), replayed later */
  private pending: Buffer | null = null
  /** request body received before the server connection was ready */
  private early: Buffer[] = []
  private earlyBytes = 0
  private reqRemaining = 0
  private reqDone = false
  private resBuf: Buffer | null = null
  private resRemaining = 0
  private resDone = false
  private resStarted = false
  private ss: Socket | null = null
  private ssReused = false
  /** the server connection kept for the next request of this session */
  private readonly kept = new KeptConnection()
  private mode: HttpConnMode = 'keep-alive'
  private clientKeepAlive = false
  private firstRequest = true
  private readonly ck = new CookieTxn()

  constructor (cs: Socket, fe: FrontendRuntime) {
    super(cs, fe)
    if (!this.passAcceptRules()) return
    this.log.cookie = this.ck
    cs.on('data', (d: Buffer) => this.onClientData(d))
    cs.on('end', () => this.onClientEnd())
    cs.on('close', () => this.onClientClose())
    cs.on('error', () => { /* 'close' follows */ })
    cs.on('drain', () => { if (this.ss !== null) this.ss.resume() })
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

  private onClientData (d: Buffer): void {
    this.fe.bytesIn += d.length
    this.log.bytesIn += d.length
    switch (this.state) {
      case St.ReqHead: this.feedHead(d); break
      case St.Assigning: this.feedBodyEarly(d); break
      case St.Exchange: this.feedBody(d); break
      case St.Tunnel: if (this.ss !== null && !this.ss.write(d)) this.cs.pause(); break
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
      if (buf.length > this.fe.maxHead || impossibleRequestStart(buf)) { this.log.term('P', 'R'); this.log.badRequest(); this.answerError(400) }
      return
    }
    if (end > this.fe.maxHead) { this.log.term('P', 'R'); this.log.badRequest(); this.answerError(400); return }
    this.inBuf = null
    this.onRequestHead(buf, end)
  }

  private onRequestHead (buf: Buffer, end: number): void {
    const head = this.reqHead
    head.names.length = 0; head.lnames.length = 0; head.values.length = 0
    this.reqMeta.reset()
    const st = parseRequestHead(buf, end, head, this.reqMeta, this.fe.maxHdr)
    this.fe.reqTotal++
    this.fe.process.totalReqs++
    if (st !== 0) { this.log.term('P', 'R'); this.log.badRequest(); this.answerError(st); return }
    this.req = head
    this.log.headReceived(head)
    // tcp-request content rules run before the HTTP ones, on the request's bytes
    this.reqData = buf
    const tcpVerdict = this.contentVerdict(this.fe.plan.tcpRequest)
    this.reqData = null
    if (tcpVerdict === TcpVerdict.Reject) { this.fe.denied++; this.log.term('P', 'R'); this.finish(true); return }
    countHttpRequest(this.stk)
    this.clearTimer()
    this.cs.setTimeout(this.fe.plan.timeouts.client)
    this.cs.on('timeout', this.onClientTimeout)
    // body framing of the request
    const m = this.reqMeta
    this.reqDone = m.bodyKind === BodyKind.None
    this.reqRemaining = m.bodyKind === BodyKind.Length ? m.contentLength : 0
    if (m.bodyKind === BodyKind.Chunked) this.reqChunks.reset()
    this.state = St.Assigning
    const rest = end < buf.length ? buf.subarray(end) : null
    if (rest !== null) this.feedBodyEarly(rest)
    this.route()
  }

  private readonly onClientTimeout = (): void => {
    if (this.state === St.Tunnel || (this.state === St.Exchange && !this.reqDone) || this.state === St.Assigning) {
      this.log.term('c', this.state === St.Tunnel ? 'D' : (this.reqDone ? 'H' : 'D'))
      this.finish(true)
    }
  }

  /** Splits <d> at the end of the current request body: the body part is
   *  returned (possibly empty), anything after goes to <pending>. */
  private takeBody (d: Buffer): Buffer {
    if (this.reqDone) { this.stash(d); return d.subarray(0, 0) }
    const m = this.reqMeta
    if (m.bodyKind === BodyKind.Length) {
      if (d.length <= this.reqRemaining) { this.reqRemaining -= d.length; if (this.reqRemaining === 0) this.reqDone = true; return d }
      const body = d.subarray(0, this.reqRemaining)
      this.stash(d.subarray(this.reqRemaining))
      this.reqRemaining = 0; this.reqDone = true
      return body
    }
    // chunked
    const e = this.reqChunks.scan(d, 0, d.length)
    if (e === -2) { this.log.term('P', 'R'); this.answerError(400); return d.subarray(0, 0) }
    if (e === -1) return d
    this.reqDone = true
    if (e < d.length) this.stash(d.subarray(e))
    return d.subarray(0, e)
  }

  private stash (d: Buffer): void {
    if (d.length === 0) return
    this.pending = this.pending === null ? d : Buffer.concat([this.pending, d])
    this.cs.pause()
  }

  private feedBodyEarly (d: Buffer): void {
    const body = this.takeBody(d)
    if (this.state === St.Closed) return
    if (body.length > 0) {
      this.early.push(body)
      this.earlyBytes += body.length
      // WHY: bounded buffering while no server is attached (HAProxy: one buffer)
      if (this.earlyBytes >= this.fe.global.tune.bufsize) this.cs.pause()
    }
  }

  private feedBody (d: Buffer): void {
    const body = this.takeBody(d)
    if (this.state === St.Closed) return
    if (body.length > 0 && this.ss !== null) {
      this.countToServer(body.length)
      if (!this.ss.write(body)) this.cs.pause()
    }
    if (this.reqDone) this.maybeTxnDone()
  }

  private onClientEnd (): void {
    // client half-closed: in a tunnel forward the FIN; otherwise stop reading
    if (this.state === St.Tunnel && this.ss !== null) {
      this.ss.end()
      this.ss.setTimeout(this.be?.plan.timeouts.serverFin || this.be?.plan.timeouts.tunnel || 0)
      return
    }
    if (this.state === St.ReqHead) {
      if (this.inBuf !== null) { this.log.term('C', 'R'); this.log.badRequest(); this.answerError(400) } else this.onClientClose()
    } else if (!this.reqDone) {
      this.log.term('C', 'D'); this.finish(true)
    }
  }

  private onClientClose (): void {
    if (this.state === St.Closed) return
    if (this.state === St.ReqHead) {
      // HAProxy logs a first request that never came (unless dontlognull) as "CR" 400; an idle keep-alive end is silent
      const logIt = this.inBuf !== null || this.firstRequest
      if (logIt) { this.log.term('C', 'R'); this.log.badRequest(); this.log.localAnswer(400) }
      this.finish(logIt)
      return
    }
    this.log.term('C', this.state === St.Assigning ? (this.fifoOwner !== null ? 'Q' : 'C') : (this.resStarted ? 'D' : 'H'))
    this.finish(true)
  }

  // ---- routing ------------------------------------------------------------

  /** Applies a final rule outcome; returns true when the request is answered here. */
  private applyOutcome (o: RuleOutcome, errorfiles: ReadonlyMap<number, Buffer>): boolean {
    if (o.kind === 'allow' || o.kind === 'continue') return false
    if (o.kind === 'deny') {
      this.fe.denied++
      this.log.term('P', 'R')
      this.answerError(o.status, errorfiles)
      return true
    }
    this.log.term('L', 'R')
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
    if (be.plan.name !== fp.name && this.applyOutcome(runRules(be.plan.httpRequestRules, this), be.plan.errorfiles)) return
    if (be.plan.name !== fp.name && be.plan.statsPage != null && this.serveLocalPage(be.plan.statsPage)) return
    this.mode = effectiveConnMode(fp.httpConnMode, be.plan.httpConnMode)
    const ff = be.plan.forwardFor ?? fp.forwardFor
    if (ff !== null) applyForwardFor(this.reqHead, ff, this.srcAddr)
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

  /** `stats enable` pages are answered here (HAProxy logs them as local, "LR"). */
  private serveLocalPage (page: StatsPagePlan): boolean {
    const h = this.reqHead
    const raw = this.fe.localPage(page, h.method, h.uri, headerValue(h, 'authorization'))
    if (raw === null) return false
    this.log.term('L', 'R')
    this.answerRaw(raw, Number(raw.toString('latin1', 9, 12)))
    return true
  }

  protected isOver (): boolean { return this.state === St.Closed }

  protected refuse (): void { this.answerError(503) }

  shutdownByServer (code: 'D' | 'U'): void {
    this.log.term(code, '-')
    this.finish(true)
  }

  // ---- server connection --------------------------------------------------

  protected startConnect (srv: ServerRuntime): void {
    this.srv = srv
    this.log.connectStarts(srv)
    const be = this.be!
    const s = this.kept.take(srv, be.plan.httpReuse, this.firstRequest, this.reqHead.method, this.mayPool())
    this.ssReused = s !== null
    if (s !== null) this.connected(s)
    else connectServer(srv, this.dstPort, be.plan.timeouts.connect, this)
  }

  /** Idle server connections may be handed to other sessions (not while stopping or retired by a reload). */
  private mayPool (): boolean { return !this.fe.process.stopping && !this.fe.retired }

  protected connected (sock: Socket): void {
    const be = this.be!
    this.ss = sock
    this.log.connected()
    sock.on('data', this.onServerData)
    sock.on('end', this.onServerEnd)
    sock.on('close', this.onServerClose)
    sock.on('error', noop)
    sock.on('drain', this.onServerDrain)
    sock.on('timeout', this.onServerTimeout)
    sock.setTimeout(be.plan.timeouts.server)
    this.state = St.Exchange
    this.resBuf = null
    this.resDone = false
    this.resStarted = false
    this.res = null
    const m = this.reqMeta
    const upgrade = m.connUpgrade && m.upgrade !== ''
    const tok = upgrade ? 'upgrade' : this.mode !== 'keep-alive' ? 'close' : (m.v11 ? '' : 'keep-alive')
    const head = serializeHead(requestLine(this.reqHead), this.reqHead, tok)
    sock.write(head, 'latin1')
    for (const b of this.early) sock.write(b)
    this.countToServer(head.length + this.earlyBytes)
    this.early.length = 0
    this.earlyBytes = 0
    this.cs.resume()
    if (this.reqDone) this.cs.setTimeout(0)
  }

  private readonly onServerDrain = (): void => { if (this.state !== St.Closed) this.cs.resume() }

  private readonly onServerTimeout = (): void => {
    if (this.state === St.Tunnel) { this.log.term('s', 'D'); this.finish(true); return }
    if (!this.resStarted) {
      this.log.term('s', 'H')
      this.dropServer(false)
      this.answerError(504)
      return
    }
    this.log.term('s', 'D')
    this.finish(true)
  }

  /** Stats counters of bytes sent to the server (HAProxy "bin" of server and backend). */
  private countToServer (n: number): void {
    this.srv!.bytesIn += n
    this.be!.bytesIn += n
  }

  private readonly onServerData = (d: Buffer): void => {
    this.srv!.bytesOut += d.length
    this.be!.bytesOut += d.length
    if (this.state === St.Tunnel) { this.writeClient(d); return }
    if (!this.resStarted) { this.feedResponseHead(d); return }
    this.forwardResponseBody(d)
  }

  private feedResponseHead (d: Buffer): void {
    const buf = this.resBuf === null ? d : Buffer.concat([this.resBuf, d])
    const end = findHeadEnd(buf, 0)
    if (end < 0) {
      if (buf.length > this.fe.global.tune.bufsize) { this.badResponse(); return }
      this.resBuf = buf
      return
    }
    this.resBuf = null
    const head = this.resHead
    head.names.length = 0; head.lnames.length = 0; head.values.length = 0
    this.resMeta.reset()
    if (parseResponseHead(buf, end, head, this.resMeta, this.fe.maxHdr, this.reqHead.method) !== 0) { this.badResponse(); return }
    const status = head.status
    if (status >= 100 && status < 200 && status !== 101) {
      // interim response: forward as is and wait for the final one
      this.writeClient(Buffer.from(serializeHead(statusLine(head), head, ''), 'latin1'))
      if (end < buf.length) this.feedResponseHead(buf.subarray(end))
      return
    }
    this.res = head
    this.resStarted = true
    this.log.responseHead(head)
    const be = this.be!
    const beOutcome = runRules(be.plan.httpResponseRules, this)
    if (this.applyOutcome(beOutcome.kind === 'continue' ? runRules(this.fe.plan.httpResponseRules, this) : beOutcome, be.plan.errorfiles)) {
      this.dropServer(false)
      return
    }
    if (be.plan.cookie !== null) responseCookie(be.plan.cookie, head, this.srv!, this.ck, this.reqHead.method)
    if (be.plan.stickRules !== undefined) stickStore(be, this, this.srv!, 'response')
    const m = this.resMeta
    if (status === 101 && this.reqMeta.connUpgrade) {
      this.writeClient(Buffer.from(serializeHead(statusLine(head), head, 'upgrade'), 'latin1'))
      this.enterTunnel()
      if (end < buf.length) this.writeClient(buf.subarray(end))
      return
    }
    const rq = this.reqMeta
    const wantsKa = rq.v11 ? !rq.connClose : rq.connKeepAlive
    this.clientKeepAlive = wantsKa && this.mode !== 'close' && m.bodyKind !== BodyKind.UntilClose && !this.fe.process.stopping && !this.fe.retired
    const tok = !this.clientKeepAlive ? 'close' : (rq.v11 ? '' : 'keep-alive')
    this.writeClient(Buffer.from(serializeHead(statusLine(head), head, tok, true), 'latin1'))
    this.resRemaining = m.bodyKind === BodyKind.Length ? m.contentLength : 0
    if (m.bodyKind === BodyKind.Chunked) this.resChunks.reset()
    if (m.bodyKind === BodyKind.None) { this.resDone = true; if (end < buf.length) { /* extra bytes after a bodiless response: ignore */ } this.maybeTxnDone(); return }
    if (end < buf.length) this.forwardResponseBody(buf.subarray(end))
  }

  private forwardResponseBody (d: Buffer): void {
    const m = this.resMeta
    if (m.bodyKind === BodyKind.UntilClose) { this.writeClient(d); return }
    if (m.bodyKind === BodyKind.Length) {
      if (d.length >= this.resRemaining) {
        this.writeClient(this.resRemaining === d.length ? d : d.subarray(0, this.resRemaining))
        this.resRemaining = 0
        this.resDone = true
        this.maybeTxnDone()
        return
      }
      this.resRemaining -= d.length
      this.writeClient(d)
      return
    }
    const e = this.resChunks.scan(d, 0, d.length)
    if (e === -2) { this.log.term('S', 'D'); this.finish(true); return }
    if (e === -1) { this.writeClient(d); return }
    this.writeClient(e === d.length ? d : d.subarray(0, e))
    this.resDone = true
    this.maybeTxnDone()
  }

  private writeClient (d: Buffer): void {
    this.log.bytesOut += d.length
    this.fe.bytesOut += d.length
    if (!this.cs.write(d) && this.ss !== null) this.ss.pause()
  }

  private badResponse (): void {
    this.srv!.respErrors++
    this.be!.respErrors++
    this.log.term('S', 'H')
    this.dropServer(false)
    this.answerError(502)
  }

  /** The server sent its FIN. In a tunnel it is forwarded to the client;
   *  otherwise the server connection is over (half-open server sockets are
   *  never kept: 'close' would not come on its own with allowHalfOpen). */
  private readonly onServerEnd = (): void => {
    if (this.state === St.Tunnel) {
      this.cs.end()
      this.cs.setTimeout(this.fe.plan.timeouts.clientFin || this.fe.plan.timeouts.tunnel || this.fe.plan.timeouts.client)
      return
    }
    this.onServerClose()
  }

  private readonly onServerClose = (): void => {
    if (this.state === St.Closed || this.ss === null) return
    // in a tunnel the client got the server's FIN on 'end'; the server is gone: close
    if (this.state === St.Tunnel) { this.finish(true); return }
    if (!this.resStarted) {
      // a reused connection closed by the server before answering: safe requests are replayed once
      if (this.ssReused && this.reqMeta.bodyKind === BodyKind.None && IDEMPOTENT.has(this.reqHead.method)) {
        this.detachServer()?.destroy()
        this.ssReused = false
        connectServer(this.srv!, this.dstPort, this.be!.plan.timeouts.connect, this)
        return
      }
      this.badResponse()
      return
    }
    if (this.resMeta.bodyKind === BodyKind.UntilClose && !this.resDone) {
      this.resDone = true
      this.detachServer()?.destroy()
      this.clientKeepAlive = false
      this.maybeTxnDone()
      return
    }
    if (!this.resDone) { this.log.term('S', 'D'); this.finish(true) }
  }

  // ---- tunnel ------------------------------------------------------------

  private enterTunnel (): void {
    this.state = St.Tunnel
    const t = this.be!.plan.timeouts.tunnel || this.be!.plan.timeouts.server
    this.ss!.setTimeout(t)
    this.cs.setTimeout(this.fe.plan.timeouts.tunnel || this.be!.plan.timeouts.tunnel || this.fe.plan.timeouts.client)
    if (this.pending !== null) { const p = this.pending; this.pending = null; this.ss!.write(p) }
    this.cs.resume()
  }

  // ---- end of a transaction -------------------------------------------------

  private maybeTxnDone (): void {
    if (!this.resDone || this.state !== St.Exchange) return
    if (!this.reqDone) {
      // the server answered before the whole request arrived: the connection cannot be reused
      this.clientKeepAlive = false
      this.dropServer(false)
    }
    this.fe.countStatus(this.resHead.status)
    const sc = statusClass(this.resHead.status)
    if (this.be !== null) this.be.hrsp[sc]++
    if (this.srv !== null) this.srv.hrsp[sc]++
    const srvKa = this.resMeta.v11 ? !this.resMeta.connClose : this.resMeta.connKeepAlive
    this.dropServer(srvKa && this.mode === 'keep-alive' && this.reqDone)
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
    this.early.length = 0
    this.earlyBytes = 0
    this.log.reset()
    this.cs.setTimeout(0)
    this.cs.removeListener('timeout', this.onClientTimeout)
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

  /** Detaches the server connection: kept for reuse when <keep>, else destroyed.
   *  Releases the server slot either way. */
  private dropServer (keep: boolean): void {
    const s = this.detachServer()
    if (s !== null) {
      if (keep && !s.destroyed && this.srv !== null) this.kept.keep(s, this.srv, this.be !== null && this.be.plan.httpReuse !== 'never')
      else s.destroy()
    }
    this.releaseSlot()
  }

  /** Removes this stream's listeners from the server socket and forgets it. */
  private detachServer (): Socket | null {
    const s = this.ss
    this.ss = null
    if (s === null) return null
    s.removeListener('data', this.onServerData)
    s.removeListener('end', this.onServerEnd)
    s.removeListener('close', this.onServerClose)
    s.removeListener('drain', this.onServerDrain)
    s.removeListener('timeout', this.onServerTimeout)
    s.removeListener('error', noop)
    s.resume()
    return s
  }

  // ---- answers generated here ----------------------------------------------

  private answerError (code: number, errorfiles?: ReadonlyMap<number, Buffer>): void {
    const files = errorfiles ?? this.be?.plan.errorfiles ?? this.fe.plan.errorfiles
    this.answerRaw(errorResponse(code, files), code)
  }

  /** Sends a response generated here and closes the client connection: the
   *  request body may still be arriving, and HAProxy closes after its own answers too. */
  private answerRaw (raw: Buffer, status: number): void {
    if (this.state === St.Closed) return
    this.clearTimer()
    this.dropServer(false)
    this.log.localAnswer(status)
    this.fe.countStatus(status)
    // as HAProxy's H1 layer: a client that asked to close is told so
    this.writeClient(this.req !== null && this.reqMeta.v11 && this.reqMeta.connClose ? withConnectionClose(raw) : raw)
    this.endTracked(status, false)
    this.log.emit()
    this.clientKeepAlive = false
    this.closeClient()
  }

  private closeClient (): void {
    if (this.state === St.Closed) return
    this.state = St.Closed
    this.clearTimer()
    this.kept.release(this.mayPool())
    this.releaseSlot()
    this.cs.end()
    const fin = this.fe.plan.timeouts.clientFin || this.fe.plan.timeouts.client
    if (fin > 0) this.cs.setTimeout(fin, () => this.cs.destroy())
    this.endSession()
  }

  /** Ends the stream at once: both connections destroyed, logged if <logIt>. */
  private finish (logIt: boolean): void {
    if (this.state === St.Closed) return
    if (logIt) this.log.emit()
    this.dropServer(false)
    this.state = St.Closed
    this.clearTimer()
    this.kept.release(this.mayPool())
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

function noop (): void {}
