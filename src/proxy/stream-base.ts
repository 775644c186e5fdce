import type { Socket } from 'node:net'
import { TLSSocket } from 'node:tls'
import type { TlsHolder } from '../rules/fetches/ssl.ts'
import type { StreamView } from '../core/stream-view.ts'
import type { HttpHead } from '../core/http-head.ts'
import { Assign, type BackendRuntime } from './backend-runtime.ts'
import type { ServerRuntime, ServerStream, ShutdownCode, SlotWaiter } from './server-runtime.ts'
import type { FifoEntry, Fifo } from './fifo.ts'
import { ConnErr, type ConnErrT, type ConnectDone } from './server-connect.ts'
import type { LiveBackendsHolder } from '../rules/fetches/backend-state.ts'
import type { FrontendRuntime } from './frontend-runtime.ts'
import { StreamLog } from './stream-log.ts'
import { afterConnectError, retryDelay, Retry } from './retry.ts'
import { chooseBackend } from './switching.ts'
import { stickMatch, stickStore } from './stick-rules.ts'
import { bumpTracked, countHttpStatus, endTracking, type StickHolder, type TrackSlots } from '../rules/stick/track.ts'
import { DT } from '../rules/stick/data-types.ts'
import { runTcpRules, TcpVerdict, type TcpVerdictT } from '../rules/tcp-rules.ts'
import type { PayloadHolder } from '../rules/fetches/payload.ts'
import type { TcpRequestPlan } from '../config/plan.ts'
import type { CaptureHolder } from '../rules/captures.ts'

/** What the HTTP and TCP streams share: the view rules and logs read, the
 *  way to a server (backend choice, slot or queue, connect with retries and
 *  redispatch) and its accounting. A subclass says how it connects, what it
 *  does once connected, and how it refuses (503 page in HTTP, close in TCP).
 *  Contract: every slot granted is released exactly once (releaseSlot). */
export abstract class StreamBase implements StreamView, SlotWaiter, ConnectDone, StickHolder, PayloadHolder, LiveBackendsHolder, TlsHolder, ServerStream, CaptureHolder {
  readonly feName: string
  beName = ''
  req: HttpHead | null = null
  res: HttpHead | null = null
  readonly vars = new Map<string, string | number | boolean>()
  fifoPrev: FifoEntry | null = null
  fifoNext: FifoEntry | null = null
  fifoOwner: Fifo<FifoEntry> | null = null
  /** stick counters tracked by rules (track-sc0..2) */
  stk: TrackSlots | null = null
  /** request bytes tcp-request content rules inspect (req.len, req.payload) */
  reqData: Buffer | null = null
  /** server bytes tcp-response content rules inspect (res.len, res.payload) */
  resData: Buffer | null = null
  /** the client connection when it came through `bind … ssl` (ssl_fc* fetches) */
  readonly clientTls: TLSSocket | null

  protected be: BackendRuntime | null = null
  protected srv: ServerRuntime | null = null
  protected slotHeld = false
  protected retriesLeft = 0
  /** server a persistence cookie leads to, for this transaction's first try */
  protected persistSrv: ServerRuntime | null = null
  /** the stream's one pending timer (request, queue or retry delay) */
  protected timer: NodeJS.Timeout | null = null
  protected readonly log: StreamLog

  constructor (protected readonly cs: Socket, protected readonly fe: FrontendRuntime) {
    // access logs read them after the socket may be gone: then they are read now
    if (fe.accessLog !== null || fe.process.recordTap !== null) this.pinAddresses()
    this.feName = fe.plan.name
    this.clientTls = cs instanceof TLSSocket ? cs : null
    this.log = new StreamLog(fe, this)
  }

  /** Client socket events (the subclass says what each means). */
  abstract onClientData (d: Buffer): void
  abstract onClientEnd (): void
  abstract onClientClose (): void
  abstract onClientDrain (): void
  /** Server socket events, while listenServer() has attached this stream. */
  abstract onServerData (d: Buffer): void
  abstract onServerEnd (): void
  abstract onServerClose (): void
  abstract onServerDrain (): void

  /** Hands the client socket's events to this stream through handlers shared by
   *  every stream (no closure per connection): the socket carries its stream. */
  protected listenClient (): void {
    const cs = this.cs as ClientSocket
    cs.plbStream = this
    cs.on('data', onClientData)
    cs.on('end', onClientEnd)
    cs.on('close', onClientClose)
    cs.on('error', ignoreError) // 'close' follows
    cs.on('drain', onClientDrain)
  }

  /** Hands server socket <sock>'s events to this stream, through handlers shared
   *  the same way; unlistenServer() gives the socket back (an idle pooled one). */
  protected listenServer (sock: Socket): void {
    ;(sock as ServerSocket).plbServerStream = this
    sock.on('data', onServerData)
    sock.on('end', onServerEnd)
    sock.on('close', onServerClose)
    sock.on('error', ignoreError)
    sock.on('drain', onServerDrain)
  }

  protected unlistenServer (sock: Socket): void {
    sock.removeListener('data', onServerData)
    sock.removeListener('end', onServerEnd)
    sock.removeListener('close', onServerClose)
    sock.removeListener('drain', onServerDrain)
    sock.removeListener('error', ignoreError)
    ;(sock as ServerSocket).plbServerStream = null
  }

  // The client's and the local address are read from the socket on first use:
  // each side is a getpeername/getsockname syscall, which Node then caches.
  // Once the socket is closed an address never read is empty: see pinAddresses.
  get srcAddr (): string { return this.cs.remoteAddress ?? '' }
  get srcPort (): number { return this.cs.remotePort ?? 0 }
  get dstAddr (): string { return this.cs.localAddress ?? '' }
  get dstPort (): number { return this.cs.localPort ?? 0 }

  /** Reads both addresses now, while the socket is open (Node keeps them). */
  private pinAddresses (): void {
    // reading them is what fills Node's cache
    void this.cs.remoteAddress
    void this.cs.localAddress
  }

  /** the backends of this stream's generation, for nbsrv/be_conn/srv_is_up... */
  get liveBackends (): ReadonlyMap<string, BackendRuntime> { return this.fe.backends }
  /** the frontends of this stream's generation, for fe_conn(<name>) */
  get liveFrontends (): ReadonlyMap<string, FrontendRuntime> { return this.fe.siblings }

  capture (response: boolean, id: number, value: string): void { this.log.capture(response, id, value) }
  captured (response: boolean, id: number): string | undefined { return this.log.captured(response, id) }

  /** The stream has ended: late callbacks must do nothing. */
  protected abstract isOver (): boolean
  /** Opens (or reuses) a connection to <srv>; ends in connectDone(). */
  protected abstract startConnect (srv: ServerRuntime): void
  /** The server connection <sock> is ready. */
  protected abstract connected (sock: Socket): void
  /** No server will take this stream (termination state already set). */
  protected abstract refuse (): void
  /** The server's state change ends this stream; <code> is the log's termination letter
   *  (HAProxy SF_ERR_DOWN 'D', SF_ERR_UP 'U', logged with '-' as the state). */
  abstract shutdownByServer (code: ShutdownCode): void

  protected clearTimer (): void {
    if (this.timer !== null) { clearTimeout(this.timer); this.timer = null }
  }

  /** Picks the backend from the frontend's switching rules; refuses and
   *  returns null when there is none. */
  protected selectBackend (): BackendRuntime | null {
    const fp = this.fe.plan
    const be = chooseBackend(fp.switchRules, fp.defaultBackend, this.fe.backends, this)
    if (be === undefined) { this.log.term('S', 'C'); this.refuse(); return null }
    this.be = be
    this.beName = be.plan.name
    this.log.backendChosen(be)
    be.total++
    this.retriesLeft = be.plan.retries
    return be
  }

  /** Asks the backend for a server slot, avoiding <avoid> if possible. */
  protected requestSlot (avoid: ServerRuntime | null): void {
    const be = this.be!
    // persistence (cookie, then stick match) holds for the first try; a redispatch (<avoid>) drops it
    const forced = avoid !== null ? null : this.persistSrv ?? (be.plan.stickRules === undefined ? null : stickMatch(be, this))
    const { r, srv } = be.assign(this, this, avoid, forced)
    if (r === Assign.Granted) { this.slotHeld = true; this.serverAssigned(srv!); return }
    if (r === Assign.NoServer) { this.log.term('S', 'C'); this.refuse(); return }
    const tq = be.plan.timeouts.queue || be.plan.timeouts.connect
    if (tq > 0) this.timer = setTimeout(() => this.onQueueTimeout(), tq)
  }

  slotGranted (srv: ServerRuntime): void {
    this.clearTimer()
    this.slotHeld = true
    this.serverAssigned(srv)
  }

  /** Runs the frontend's tcp-request connection then session rules on a new
   *  connection. On reject the connection is closed quietly (not logged, as
   *  HAProxy) and false returned: the subclass must not go on. */
  protected passAcceptRules (): boolean {
    const tr = this.fe.plan.tcpRequest
    if (tr === undefined) return true
    if (runTcpRules(tr.connection, this) !== TcpVerdict.Reject && runTcpRules(tr.session, this) !== TcpVerdict.Reject) {
      bumpTracked(this.stk, DT.sessCnt, DT.sessRate)
      return true
    }
    this.fe.denied++
    this.endTracked(0, true, false)
    this.cs.destroy()
    this.fe.cur--
    this.fe.process.actconn--
    this.fe.process.sessionClosed()
    return false
  }

  /** tcp-request content rules of <tr> (the frontend's, then the backend's once chosen). */
  protected contentVerdict (tr: TcpRequestPlan | undefined): TcpVerdictT {
    return tr === undefined ? TcpVerdict.Continue : runTcpRules(tr.content, this)
  }

  /** <srv> takes the stream: `stick store-request` rules record it, then connect. */
  private serverAssigned (srv: ServerRuntime): void {
    if (this.be!.trackStreams) srv.streams.add(this)
    if (this.be!.plan.stickRules !== undefined) stickStore(this.be!, this, srv, 'request')
    this.startConnect(srv)
  }

  /** End of a transaction answered with <status> (HTTP) or of the connection:
   *  tracked stick counters get the bytes and the status, and those held for
   *  the transaction (or all, when <connectionEnds>) are released. */
  protected endTracked (status: number, connectionEnds: boolean, countBytes = true): void {
    if (this.stk === null) return
    if (status > 0) countHttpStatus(this.stk, status)
    endTracking(this.stk, countBytes ? this.log.bytesIn : 0, countBytes ? this.log.bytesOut : 0, connectionEnds)
  }

  private onQueueTimeout (): void {
    this.timer = null
    this.fifoOwner?.remove(this)
    this.log.term('s', 'Q')
    this.refuse()
  }

  connectDone (err: ConnErrT, sock: Socket | null, _info: string): void {
    if (this.isOver()) { sock?.destroy(); return }
    if (err === ConnErr.None) { this.connected(sock!); return }
    const be = this.be!
    const srv = this.srv!
    const step = afterConnectError(be, srv, this.retriesLeft, this.log)
    if (step !== Retry.GiveUp) {
      this.retriesLeft--
      if (step === Retry.Redispatch) { this.log.cookie?.redispatched(); this.releaseSlot(); this.requestSlot(srv); return }
      this.timer = setTimeout(() => { this.timer = null; if (!this.isOver()) this.startConnect(srv) }, retryDelay(be))
      return
    }
    this.releaseSlot()
    this.log.term(err === ConnErr.Timeout ? 's' : 'S', 'C')
    this.refuse()
  }

  /** Gives the server slot back (once) and leaves any queue. */
  protected releaseSlot (): void {
    if (this.slotHeld && this.srv !== null && this.be !== null) {
      this.slotHeld = false
      if (this.be.trackStreams) this.srv.streams.delete(this)
      this.be.release(this.srv)
    }
    this.fifoOwner?.remove(this)
  }
}

interface ClientSocket extends Socket { plbStream: StreamBase }
function onClientData (this: ClientSocket, d: Buffer): void { this.plbStream.onClientData(d) }
function onClientEnd (this: ClientSocket): void { this.plbStream.onClientEnd() }
function onClientClose (this: ClientSocket): void { this.plbStream.onClientClose() }
function onClientDrain (this: ClientSocket): void { this.plbStream.onClientDrain() }
/** null once the stream let the socket go (pooled): a late event is nobody's */
interface ServerSocket extends Socket { plbServerStream: StreamBase | null }
function onServerData (this: ServerSocket, d: Buffer): void { this.plbServerStream?.onServerData(d) }
function onServerEnd (this: ServerSocket): void { this.plbServerStream?.onServerEnd() }
function onServerClose (this: ServerSocket): void { this.plbServerStream?.onServerClose() }
function onServerDrain (this: ServerSocket): void { this.plbServerStream?.onServerDrain() }
/** 'error' is always followed by 'close', where the stream ends */
export function ignoreError (): void {}
