import type { Socket } from 'node:net'
import type { ServerRuntime, ShutdownCode } from './server-runtime.ts'
import { connectServer } from './server-connect.ts'
import type { FrontendRuntime } from './frontend-runtime.ts'
import { StreamBase } from './stream-base.ts'
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

  constructor (cs: Socket, fe: FrontendRuntime) {
    super(cs, fe)
    if (!this.passAcceptRules()) return
    cs.on('data', (d: Buffer) => this.onClientData(d))
    cs.on('end', () => this.onClientEnd())
    cs.on('close', () => this.onClientClose())
    cs.on('error', () => { /* 'close' follows */ })
    cs.on('drain', () => this.ss?.resume())
    cs.on('timeout', () => { this.log.term('c', 'D'); this.abort() })
    cs.setTimeout(fe.plan.timeouts.client)
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
    sock.on('data', (d: Buffer) => {
      this.srv!.bytesOut += d.length
      this.be!.bytesOut += d.length
      this.log.bytesOut += d.length
      this.fe.bytesOut += d.length
      if (this.resInspecting) { this.resData = d; this.endResponseInspection(); return }
      if (!this.cs.write(d)) sock.pause()
    })
    sock.on('drain', () => this.cs.resume())
    sock.on('end', () => this.onServerEnd())
    sock.on('close', () => { if (!this.closed) { if (!this.serverEnded) this.log.term('S', 'D'); this.finish() } })
    sock.on('error', () => { /* 'close' follows */ })
    sock.on('timeout', () => { this.log.term('s', 'D'); this.abort() })
    sock.setTimeout(this.be!.plan.timeouts.server)
    for (const b of this.early) sock.write(b)
    this.early.length = 0
    if (this.clientEnded) sock.end()
    this.cs.resume()
  }

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
    if (data !== null && !this.cs.write(data)) this.ss?.pause()
    if (v === TcpVerdict.Close) this.ss?.end()
  }

  private onClientData (d: Buffer): void {
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
    if (!this.ss.write(d)) this.cs.pause()
  }

  private onClientEnd (): void {
    this.clientEnded = true
    if (this.ss !== null) {
      this.ss.end()
      this.ss.setTimeout(this.be!.plan.timeouts.serverFin || this.be!.plan.timeouts.server)
    }
    if (this.serverEnded) this.finish()
  }

  private onServerEnd (): void {
    this.serverEnded = true
    this.cs.end()
    this.cs.setTimeout(this.fe.plan.timeouts.clientFin || this.fe.plan.timeouts.client)
    if (this.clientEnded) this.finish()
  }

  private onClientClose (): void {
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
