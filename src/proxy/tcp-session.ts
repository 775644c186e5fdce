import type { Socket } from 'node:net'
import type { ServerRuntime, ShutdownCode } from './server-runtime.ts'
import { connectServer } from './server-connect.ts'
import type { FrontendRuntime } from './frontend-runtime.ts'
import { StreamBase } from './stream-base.ts'
import { IdleTimeout } from './idle-timeout.ts'
import { TcpVerdict, runTcpRules } from '../rules/tcp-rules.ts'
import type { TcpRequestPlan } from '../config/plan.ts'

/** One client connection in `mode tcp`: choose a backend and a server,
 *  connect (with retries and redispatch), then pipe bytes both ways with
 *  back-pressure. Half-closes are forwarded (the 4-way close of seed 004);
 *  the side we sent a FIN to is then bounded by client-fin/server-fin, so
 *  vanished peers never pile up in FIN_WAIT2/CLOSE_WAIT. */
export class TcpSession extends StreamBase {
  private ss: Socket | null = null
  private early: Buffer[] = []
  private closed = false
  private clientEnded = false
  private serverEnded = false
  /** waiting (up to tcp-request inspect-delay) for data the content rules may read */
  private inspecting = false
  /** server data held for the backend's tcp-response content rules (until the first data or the delay) */
  private resInspecting = false
  /** inactivity timeouts of the two sides (client/server, then their fin) */
  private readonly clientIdle = new IdleTimeout<TcpSession>(this, clientQuiet)
  private readonly serverIdle = new IdleTimeout<TcpSession>(this, serverQuiet)

  constructor (cs: Socket, fe: FrontendRuntime) {
    super(cs, fe)
    if (!this.passAcceptRules()) return
    this.listenClient()
    this.clientIdle.set(fe.plan.timeouts.client)
    const tr = fe.plan.tcpRequest
    if (tr !== undefined && tr.content.length > 0 && tr.inspectDelay > 0) {
      this.inspecting = true
      this.timer = setTimeout(() => this.endInspection(), tr.inspectDelay)
    } else this.route()
  }

  /** First data or inspect-delay over: content rules decide on what came. */
  private endInspection (): void {
    if (!this.inspecting || this.closed) return
    this.inspecting = false
    this.clearTimer()
    this.reqData = this.early.length === 0 ? null : Buffer.concat(this.early)
    this.route()
  }

  private route (): void {
    if (this.contentRejects(this.fe.plan.tcpRequest)) return
    const be = this.selectBackend()
    if (be === null) return
    if (be.plan.name !== this.fe.plan.name && this.contentRejects(be.plan.tcpRequest)) return
    this.reqData = null
    this.log.queueStarts()
    this.requestSlot(null)
  }

  private contentRejects (tr: TcpRequestPlan | undefined): boolean {
    if (this.contentVerdict(tr) !== TcpVerdict.Reject) return false
    this.fe.denied++
    this.log.term('P', 'R')
    this.abort()
    return true
  }

  protected isOver (): boolean { return this.closed }

  protected refuse (): void { this.abort() }

  protected startConnect (srv: ServerRuntime): void {
    this.srv = srv
    this.log.connectStarts(srv)
    connectServer(srv, this.be!.plan.timeouts.connect, this)
  }

  protected connected (sock: Socket): void {
    this.ss = sock
    this.log.connected()
    const tr = this.be!.plan.tcpResponse
    if (tr !== undefined) {
      this.resInspecting = true
      if (tr.inspectDelay > 0) this.timer = setTimeout(() => this.endResponseInspection(), tr.inspectDelay)
    }
    this.listenServer(sock)
    this.serverIdle.set(this.be!.plan.timeouts.server)
    if (!this.resInspecting) this.enterTunnel()
    for (const b of this.early) this.writeServer(b)
    this.early.length = 0
    if (this.clientEnded) sock.end()
    this.cs.resume()
  }

  // event entry points (called by the shared socket handlers at the end of the file)

  onServerData (d: Buffer): void {
    this.serverIdle.touch()
    this.srv!.bytesOut += d.length
    this.be!.bytesOut += d.length
    this.log.bytesOut += d.length
    this.fe.bytesOut += d.length
    if (this.resInspecting) { this.resData = d; this.endResponseInspection(); return }
    if (!this.writeClient(d)) this.ss!.pause()
  }

  onServerClose (): void {
    if (this.closed) return
    if (!this.serverEnded) this.log.term('S', 'D')
    this.finish()
  }

  onClientDrain (): void { this.ss?.resume() }
  onServerDrain (): void { this.cs.resume() }

  /** The server's first data (in <resData>) or the inspect delay: the
   *  backend's tcp-response content rules decide. reject closes both sides
   *  (logged PD), close forwards the data and ends the server connection. */
  private endResponseInspection (): void {
    if (!this.resInspecting || this.closed) return
    this.resInspecting = false
    this.clearTimer()
    const data = this.resData
    const v = runTcpRules(this.be!.plan.tcpResponse!.content, this)
    this.resData = null
    if (v === TcpVerdict.Reject) { this.log.term('P', 'D'); this.abort(); return }
    this.enterTunnel()
    if (data !== null && !this.writeClient(data)) this.ss?.pause()
    if (v === TcpVerdict.Close) this.ss?.end()
  }

  /** No rule waits on either side any more: `timeout tunnel` (the backend's), when
   *  set, replaces the client and server timeouts (HAProxy, mode tcp). */
  private enterTunnel (): void {
    const t = this.be!.plan.timeouts.tunnel
    if (t <= 0) return
    this.clientIdle.set(t)
    this.serverIdle.set(t)
  }

  /** The inactivity timeouts of the two sides once connected (before a fin timeout applies). */
  private clientMs (): number { return this.be!.plan.timeouts.tunnel || this.fe.plan.timeouts.client }
  private serverMs (): number { return this.be!.plan.timeouts.tunnel || this.be!.plan.timeouts.server }

  /** Writes to the client; false when its buffer is full (pause the server). */
  private writeClient (d: Buffer): boolean {
    this.clientIdle.touch()
    return this.cs.write(d)
  }

  private writeServer (d: Buffer): boolean {
    this.serverIdle.touch()
    return this.ss!.write(d)
  }

  /** A side was quiet for its timeout (client/server, or client-fin/server-fin after a FIN). */
  onIdle (side: 'c' | 's'): void {
    // both sides quiet for their timeouts: HAProxy looks at the client side first
    this.log.term(side === 'c' || this.clientIdle.isDue() ? 'c' : 's', 'D')
    this.abort()
  }

  onClientData (d: Buffer): void {
    this.clientIdle.touch()
    this.log.requestStarts()
    this.log.bytesIn += d.length
    this.fe.bytesIn += d.length
    if (this.srv !== null) this.srv.bytesIn += d.length
    if (this.be !== null) this.be.bytesIn += d.length
    if (this.ss === null) {
      this.early.push(d)
      this.cs.pause()
      if (this.inspecting) this.endInspection()
      return
    }
    if (!this.writeServer(d)) this.cs.pause()
  }

  onClientEnd (): void {
    this.clientEnded = true
    if (this.ss !== null) {
      // the client side, with nothing more to read, has no timeout of its own (HAProxy)
      this.clientIdle.set(0)
      this.ss.end()
      this.serverIdle.set(this.be!.plan.timeouts.serverFin || this.serverMs())
    }
    if (this.serverEnded) this.finish()
  }

  onServerEnd (): void {
    this.serverEnded = true
    // as the client side after its FIN: the server side has no timeout of its own
    this.serverIdle.set(0)
    this.cs.end()
    this.clientIdle.set(this.fe.plan.timeouts.clientFin || this.clientMs())
    if (this.clientEnded) this.finish()
  }

  onClientClose (): void {
    if (this.closed) return
    if (!this.clientEnded) this.log.term('C', this.ss === null ? (this.fifoOwner !== null ? 'Q' : 'C') : 'D')
    this.finish()
  }

  shutdownByServer (code: ShutdownCode): void {
    this.log.term(code, '-')
    this.abort()
  }

  private abort (): void {
    if (this.closed) return
    this.ss?.destroy()
    this.cs.destroy()
    this.finish()
  }

  private finish (): void {
    if (this.closed) return
    this.closed = true
    this.clearTimer()
    this.clientIdle.set(0)
    this.serverIdle.set(0)
    this.releaseSlot()
    this.ss?.destroy()
    this.cs.destroy()
    this.log.emit()
    this.endTracked(0, true)
    this.fe.cur--
    this.fe.process.actconn--
    this.fe.process.sessionClosed()
  }
}

function clientQuiet (s: TcpSession): void { s.onIdle('c') }
function serverQuiet (s: TcpSession): void { s.onIdle('s') }
