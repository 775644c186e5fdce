import { captureResponseBodyError, captureResponseError } from '../runtime/error-capture.ts'
import type { Socket } from 'node:net'
import { newHead, type HttpHead } from '../core/http-head.ts'
import type { ActionTarget, RuleOutcome } from '../rules/types.ts'
import { runRules } from '../rules/compile.ts'
import type { HttpConnMode } from '../config/plan.ts'
import { BodyKind, HeadMeta, findHeadEnd, parseResponseHead } from './http/head-parser.ts'
import { BodyFraming } from './http/body-framing.ts'
import { serializeHead, requestLine, statusLine, headWithBody, joinsHead } from './http/serialize.ts'
import type { ServerRuntime } from './server-runtime.ts'
import { connectServer } from './server-connect.ts'
import { StreamBase } from './stream-base.ts'
import { IdleTimeout } from './idle-timeout.ts'
import type { StreamTimeout, TimeoutHolder } from '../rules/actions/timeout.ts'
import { KeptConnection, IDEMPOTENT } from './kept-connection.ts'
import { CookieTxn, responseCookie } from './cookie-persist.ts'
import { stickStore } from './stick-rules.ts'

/** Where an HTTP session is in its current transaction. */
export const St = { ReqHead: 0, Assigning: 1, Exchange: 2, Tunnel: 3, Closed: 4 } as const

/** The server side of an HTTP session: opening or reusing the server
 *  connection, sending the request head, reading the response head (response
 *  rules, cookie, stick store), forwarding the response body by its framing,
 *  the websocket/CONNECT tunnel, and letting the connection go (kept, pooled
 *  or closed). The client side (HttpSession) owns the request and says how a
 *  transaction ends. */
export abstract class HttpServerSide extends StreamBase implements ActionTarget, TimeoutHolder {
  /** the head rules work on: the response once it came, else the request */
  get head (): HttpHead { return this.res ?? this.reqHead }

  protected state: number = St.ReqHead
  protected readonly reqHead = newHead()
  protected readonly reqMeta = new HeadMeta()
  protected readonly reqBody = new BodyFraming()
  /** request body received before the server connection was ready */
  protected early: Buffer[] = []
  protected earlyBytes = 0
  /** bytes received after the current request (pipelining), replayed later */
  protected pending: Buffer | null = null
  protected mode: HttpConnMode = 'keep-alive'
  protected clientKeepAlive = false
  protected firstRequest = true
  protected readonly ck = new CookieTxn()
  protected ss: Socket | null = null
  private ssReused = false
  /** the server connection kept for the next request of this session */
  protected readonly kept = new KeptConnection()
  protected readonly resHead = newHead()
  protected readonly resMeta = new HeadMeta()
  protected readonly resBody = new BodyFraming()
  /** length of the current response's head (where HAProxy reports a bad trailer) */
  private resHeadLen = 0
  /** bytes of a response head being accumulated */
  private resBuf: Buffer | null = null
  protected resStarted = false
  /** inactivity timeouts of the two sides (client, server, tunnel, fin) */
  protected readonly clientIdle = new IdleTimeout<HttpServerSide>(this, clientQuiet)
  protected readonly serverIdle = new IdleTimeout<HttpServerSide>(this, serverQuiet)
  /** `http-request set-timeout server|tunnel`: this transaction's timeouts, -1 = the backend's */
  protected serverTimeout = -1
  protected tunnelTimeout = -1
  /** once upgraded, the inactivity timeout of both sides (HAProxy's stream tunnel
   *  timeout: set-timeout tunnel, else the backend's); 0: client and server ones go on */
  private tunnelMs = 0
  /** in a tunnel, the side that sent its FIN: its close is then a normal end */
  protected clientEnded = false
  private serverEnded = false

  setStreamTimeout (which: StreamTimeout, ms: number): void {
    if (which === 'server') this.serverTimeout = ms
    else this.tunnelTimeout = ms
  }

  /** Applies a final rule outcome; returns true when the request is answered here. */
  protected abstract applyOutcome (o: RuleOutcome, errorfiles: ReadonlyMap<number, Buffer>): boolean
  protected abstract answerError (code: number, errorfiles?: ReadonlyMap<number, Buffer>): void
  /** The response (and the request) may have ended: log, then next request or close. */
  protected abstract maybeTxnDone (): void
  /** Ends the stream at once: both connections destroyed, logged if <logIt>. */
  protected abstract finish (logIt: boolean): void
  /** Ends the stream (already logged) with a FIN to the client, which has client-fin to close. */
  protected abstract closeClient (): void

  protected startConnect (srv: ServerRuntime): void {
    this.srv = srv
    this.log.connectStarts(srv)
    const be = this.be!
    const s = this.kept.take(srv, be.plan.httpReuse, this.firstRequest, this.reqHead.method, this.mayPool())
    this.ssReused = s !== null
    if (s !== null) this.connected(s)
    else connectServer(srv, be.plan.timeouts.connect, this)
  }

  /** Idle server connections may be handed to other sessions (not while stopping or retired by a reload). */
  protected mayPool (): boolean { return !this.fe.process.stopping && !this.fe.retired }

  protected connected (sock: Socket): void {
    const be = this.be!
    this.ss = sock
    this.log.connected()
    this.listenServer(sock)
    this.serverIdle.set(this.serverMs())
    this.state = St.Exchange
    this.resBuf = null
    this.resBody.awaitMessage()
    this.resStarted = false
    this.res = null
    const m = this.reqMeta
    const upgrade = m.connUpgrade && m.upgrade !== ''
    const tok = upgrade ? 'upgrade' : this.mode !== 'keep-alive' ? 'close' : (m.v11 ? '' : 'keep-alive')
    const head = serializeHead(requestLine(this.reqHead), this.reqHead, tok)
    // the head and a body that came with it leave in one write
    const early = this.early
    const first = early.length === 0 ? null : early.length === 1 ? early[0] : Buffer.concat(early)
    const n = first === null ? 0 : first.length
    if (joinsHead(n)) this.writeServer(headWithBody(head, first, n))
    else { this.writeServer(headWithBody(head, null, 0)); this.writeServer(first!) }
    this.countToServer(head.length + this.earlyBytes)
    this.early.length = 0
    this.earlyBytes = 0
    this.cs.resume()
    if (this.reqBody.done) this.clientIdle.set(0)
  }

  onServerDrain (): void { if (this.state !== St.Closed) this.cs.resume() }

  /** this transaction's server timeout */
  private serverMs (): number { return this.serverTimeout >= 0 ? this.serverTimeout : this.be!.plan.timeouts.server }

  onServerTimeout (): void {
    // both sides quiet for the tunnel timeout: HAProxy looks at the client side first
    if (this.state === St.Tunnel) { this.log.term(this.clientIdle.isDue() ? 'c' : 's', 'D'); this.finish(true); return }
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
  protected countToServer (n: number): void {
    this.srv!.bytesIn += n
    this.be!.bytesIn += n
  }

  /** The client side's inactivity timeout expired (HttpSession says what it means). */
  abstract onClientTimeout (): void

  /** Writes to the server; false when its buffer is full (pause the client). */
  protected writeServer (d: Buffer): boolean {
    this.serverIdle.touch()
    return this.ss!.write(d)
  }

  onServerData (d: Buffer): void {
    this.serverIdle.touch()
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
      if (buf.length > this.fe.global.tune.bufsize) { this.badResponse(buf); return }
      this.resBuf = buf
      return
    }
    this.resBuf = null
    const head = this.resHead
    head.names.length = 0; head.lnames.length = 0; head.values.length = 0
    this.resMeta.reset()
    if (parseResponseHead(buf, end, head, this.resMeta, this.fe.maxHdr, this.reqHead.method) !== 0) { this.badResponse(buf); return }
    const status = head.status
    // switching protocols for a request that asked for none is an invalid response (HAProxy: 502)
    if (status === 101 && !this.reqMeta.connUpgrade) { this.badResponse(buf); return }
    if (status >= 100 && status < 200 && status !== 101) {
      // interim response: forward as is and wait for the final one
      this.writeClient(Buffer.from(serializeHead(statusLine(head), head, ''), 'latin1'))
      if (end < buf.length) this.feedResponseHead(buf.subarray(end))
      return
    }
    this.resHeadLen = end
    // the connection becomes a tunnel: protocols switched (a 101 to anything but an upgrade was refused above), or CONNECT accepted
    const tunnel = status === 101 || (status < 300 && this.reqHead.method === 'CONNECT')
    // the body bytes read with the head are checked first, as HAProxy's H1 parser does:
    // invalid chunks there make a bad response, before anything goes out
    let n = 0
    if (!tunnel) {
      this.resBody.start(this.resMeta)
      n = this.resBody.done || end === buf.length ? 0 : this.resBody.take(buf.subarray(end))
      if (n < 0) { this.invalidResponseBody(buf.subarray(end), buf); return }
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
    if (tunnel) {
      this.writeClient(Buffer.from(serializeHead(statusLine(head), head, status === 101 ? 'upgrade' : ''), 'latin1'))
      this.enterTunnel()
      if (end < buf.length) this.writeClient(buf.subarray(end))
      return
    }
    const rq = this.reqMeta
    this.clientKeepAlive = this.clientMayStay() && m.bodyKind !== BodyKind.UntilClose
    const tok = !this.clientKeepAlive ? 'close' : (rq.v11 ? '' : 'keep-alive')
    const text = serializeHead(statusLine(head), head, tok, true)
    // the head and the body bytes read with it leave in one write (extra bytes after a bodiless response are ignored)
    if (!joinsHead(n)) {
      this.writeClient(headWithBody(text, null, 0))
      this.writeClient(buf.subarray(end, end + n))
    } else this.writeClient(headWithBody(text, buf.subarray(end), n))
    if (this.resBody.done) this.maybeTxnDone()
  }

  private forwardResponseBody (d: Buffer): void {
    const n = this.resBody.take(d)
    if (n < 0) { this.invalidResponseBody(d, null); return }
    if (n > 0) this.writeClient(n === d.length ? d : d.subarray(0, n))
    if (this.resBody.done) this.maybeTxnDone()
  }

  protected writeClient (d: Buffer): void {
    this.clientIdle.touch()
    this.log.bytesOut += d.length
    this.fe.bytesOut += d.length
    if (!this.cs.write(d) && this.ss !== null) this.ss.pause()
  }

  /** The client asked to keep its connection (HTTP/1.1 unless "close", 1.0 with "keep-alive")
   *  and nothing here forbids it: the frontend's `httpclose`, a stopping process, a retired generation. */
  protected clientMayStay (): boolean {
    const rq = this.reqMeta
    const wantsKa = rq.v11 ? !rq.connClose : rq.connKeepAlive
    return wantsKa && this.fe.plan.httpConnMode !== 'close' && !this.fe.process.stopping && !this.fe.retired
  }

  /** <received>: the invalid response bytes, kept for `show errors` */
  private badResponse (received?: Buffer): void {
    if (received !== undefined) captureResponseError(this.be!, this.srv!, this.fe, received, this.srcAddr, this.srcPort)
    this.refuseResponse('S')
  }

  /** The response is answered 502 here instead; <cause>: the log's S (the server's
   *  fault) or P (the proxy refused what its parser found). */
  private refuseResponse (cause: 'S' | 'P'): void {
    this.srv!.respErrors++
    this.be!.respErrors++
    this.log.term(cause, 'H')
    this.dropServer(false)
    this.answerError(502)
  }

  /** The chunked framing of response body bytes <d> is invalid: kept for `show
   *  errors`. In the read of the head (<headRead>) nothing went out yet: HAProxy
   *  answers 502 (logged PH); later the transfer is cut (SD). */
  private invalidResponseBody (d: Buffer, headRead: Buffer | null): void {
    captureResponseBodyError(this.be!, this.srv!, this.fe, this.resBody.chunks, { d, headRead, headLen: this.resHeadLen }, this.srcAddr, this.srcPort)
    if (headRead !== null) { this.refuseResponse('P'); return }
    this.log.term('S', 'D')
    this.finish(true)
  }

  /** The server sent its FIN. A websocket tunnel is then over, normally: logged,
   *  and the FIN forwarded to the client (HAProxy 2.6 ends it there, whether or not
   *  the client closed its side). A CONNECT tunnel is half-closed as in mode tcp:
   *  the client has client-fin (else the tunnel's or its own timeout) to close.
   *  Otherwise the server connection is over (half-open server sockets are never
   *  kept: 'close' would not come on its own with allowHalfOpen). */
  onServerEnd (): void {
    if (this.state !== St.Tunnel) { this.onServerClose(); return }
    if (this.resHead.status === 101) {
      this.dropServer(false)
      this.log.emit()
      this.closeClient()
      return
    }
    this.serverEnded = true
    this.serverIdle.set(0)
    this.cs.end()
    this.clientIdle.set(this.fe.plan.timeouts.clientFin || this.tunnelMs || this.fe.plan.timeouts.client)
  }

  onServerClose (): void {
    if (this.state === St.Closed || this.ss === null) return
    // in a tunnel a close without FIN (onServerEnd) is the server's abort
    if (this.state === St.Tunnel) {
      if (!this.serverEnded) this.log.term('S', 'D')
      this.finish(true)
      return
    }
    if (!this.resStarted) {
      // a reused connection closed by the server before answering: safe requests are replayed once
      if (this.ssReused && this.reqMeta.bodyKind === BodyKind.None && IDEMPOTENT.has(this.reqHead.method)) {
        this.detachServer()?.destroy()
        this.ssReused = false
        connectServer(this.srv!, this.be!.plan.timeouts.connect, this)
        return
      }
      this.badResponse()
      return
    }
    if (this.resBody.kind === BodyKind.UntilClose && !this.resBody.done) {
      this.resBody.done = true
      this.detachServer()?.destroy()
      this.clientKeepAlive = false
      this.maybeTxnDone()
      return
    }
    if (!this.resBody.done) { this.log.term('S', 'D'); this.finish(true) }
  }

  private enterTunnel (): void {
    this.state = St.Tunnel
    this.tunnelMs = this.tunnelTimeout >= 0 ? this.tunnelTimeout : this.be!.plan.timeouts.tunnel
    this.serverIdle.set(this.tunnelMs || this.serverMs())
    this.clientIdle.set(this.tunnelMs || this.fe.plan.timeouts.client)
    if (this.pending !== null) { const p = this.pending; this.pending = null; this.writeServer(p) }
    this.cs.resume()
  }

  /** The client sent its FIN in the tunnel: forwarded; the server then has
   *  server-fin (else the tunnel's or its own timeout) to close. The client
   *  side, with nothing more to read, has no timeout of its own (HAProxy). */
  protected tunnelClientEnded (): void {
    this.clientEnded = true
    this.ss!.end()
    this.clientIdle.set(0)
    this.serverIdle.set(this.be!.plan.timeouts.serverFin || this.tunnelMs || this.serverMs())
  }

  /** Detaches the server connection: kept for reuse when <keep>, else destroyed.
   *  Releases the server slot either way. */
  protected dropServer (keep: boolean): void {
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
    this.unlistenServer(s)
    this.serverIdle.set(0)
    s.resume()
    return s
  }
}

function clientQuiet (s: HttpServerSide): void { s.onClientTimeout() }
function serverQuiet (s: HttpServerSide): void { s.onServerTimeout() }
