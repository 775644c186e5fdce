import type { Socket } from 'node:net'
import type { StreamView } from '../core/stream-view.ts'
import { Assign, type BackendRuntime } from './backend-runtime.ts'
import type { ServerRuntime, SlotWaiter } from './server-runtime.ts'
import type { FifoEntry, Fifo } from './fifo.ts'
import { connectServer, ConnErr, type ConnErrT, type ConnectDone } from './server-connect.ts'
import type { FrontendRuntime } from './frontend-runtime.ts'
import { StreamLog } from './stream-log.ts'
import { afterConnectError, retryDelay, Retry } from './retry.ts'
import { chooseBackend } from './switching.ts'

/** One client connection in `mode tcp`: choose a backend and a server,
 *  connect (with retries and redispatch), then pipe bytes both ways with
 *  back-pressure. Half-closes are forwarded (the 4-way close of seed 004);
 *  the side we sent a FIN to is then bounded by client-fin/server-fin, so
 *  vanished peers never pile up in FIN_WAIT2/CLOSE_WAIT. */
export class TcpSession implements StreamView, SlotWaiter, ConnectDone {
  srcAddr: string
  srcPort: number
  dstAddr: string
  dstPort: number
  feName: string
  beName = ''
  readonly req = null
  readonly res = null
  readonly vars = new Map<string, string | number | boolean>()
  fifoPrev: FifoEntry | null = null
  fifoNext: FifoEntry | null = null
  fifoOwner: Fifo<FifoEntry> | null = null

  private be: BackendRuntime | null = null
  private srv: ServerRuntime | null = null
  private slotHeld = false
  private ss: Socket | null = null
  private early: Buffer[] = []
  private retriesLeft = 0
  private timer: NodeJS.Timeout | null = null
  private closed = false
  private clientEnded = false
  private serverEnded = false
  private readonly log: StreamLog

  constructor (private readonly cs: Socket, private readonly fe: FrontendRuntime) {
    this.srcAddr = cs.remoteAddress ?? ''
    this.srcPort = cs.remotePort ?? 0
    this.dstAddr = cs.localAddress ?? ''
    this.dstPort = cs.localPort ?? 0
    this.feName = fe.plan.name
    this.log = new StreamLog(fe, this)
    cs.on('data', (d: Buffer) => this.onClientData(d))
    cs.on('end', () => this.onClientEnd())
    cs.on('close', () => this.onClientClose())
    cs.on('error', () => { /* 'close' follows */ })
    cs.on('drain', () => this.ss?.resume())
    cs.on('timeout', () => { this.log.term('c', 'D'); this.abort() })
    cs.setTimeout(fe.plan.timeouts.client)
    this.route()
  }

  private route (): void {
    const fp = this.fe.plan
    const be = chooseBackend(fp.switchRules, fp.defaultBackend, this.fe.backends, this)
    if (be === undefined) { this.log.term('S', 'C'); this.abort(); return }
    this.be = be
    this.beName = be.plan.name
    this.log.backendChosen(be)
    be.total++
    this.retriesLeft = be.plan.retries
    this.log.queueStarts()
    this.requestSlot(null)
  }

  private requestSlot (avoid: ServerRuntime | null): void {
    const { r, srv } = this.be!.assign(this, this, avoid, null)
    if (r === Assign.Granted) { this.slotHeld = true; this.connect(srv!); return }
    if (r === Assign.NoServer) { this.log.term('S', 'C'); this.abort(); return }
    const tq = this.be!.plan.timeouts.queue || this.be!.plan.timeouts.connect
    if (tq > 0) this.timer = setTimeout(() => { this.timer = null; this.fifoOwner?.remove(this); this.log.term('s', 'Q'); this.abort() }, tq)
  }

  slotGranted (srv: ServerRuntime): void {
    if (this.timer !== null) { clearTimeout(this.timer); this.timer = null }
    this.slotHeld = true
    this.connect(srv)
  }

  private connect (srv: ServerRuntime): void {
    this.srv = srv
    this.log.connectStarts(srv)
    connectServer(srv, this.dstPort, this.be!.plan.timeouts.connect, this)
  }

  connectDone (err: ConnErrT, sock: Socket | null, info: string): void {
    if (this.closed) { sock?.destroy(); return }
    if (err === ConnErr.None) { this.attach(sock!); return }
    const be = this.be!
    const srv = this.srv!
    const step = afterConnectError(be, srv, this.retriesLeft, this.log)
    if (step !== Retry.GiveUp) {
      this.retriesLeft--
      if (step === Retry.Redispatch) { this.releaseSlot(); this.requestSlot(srv); return }
      this.timer = setTimeout(() => { this.timer = null; if (!this.closed) this.connect(srv) }, retryDelay(be))
      return
    }
    this.log.term(err === ConnErr.Timeout ? 's' : 'S', 'C')
    this.abort()
  }

  private attach (sock: Socket): void {
    this.ss = sock
    this.log.connected()
    sock.on('data', (d: Buffer) => {
      this.srv!.bytesOut += d.length
      this.be!.bytesOut += d.length
      this.log.bytesOut += d.length
      this.fe.bytesOut += d.length
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

  private onClientData (d: Buffer): void {
    this.log.requestStarts()
    this.log.bytesIn += d.length
    this.fe.bytesIn += d.length
    if (this.srv !== null) this.srv.bytesIn += d.length
    if (this.be !== null) this.be.bytesIn += d.length
    if (this.ss === null) {
      this.early.push(d)
      this.cs.pause()
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

  private releaseSlot (): void {
    if (this.slotHeld && this.be !== null && this.srv !== null) { this.slotHeld = false; this.be.release(this.srv) }
    this.fifoOwner?.remove(this)
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
    if (this.timer !== null) { clearTimeout(this.timer); this.timer = null }
    this.releaseSlot()
    this.ss?.destroy()
    this.cs.destroy()
    this.log.emit()
    this.fe.cur--
    this.fe.process.actconn--
    this.fe.process.sessionClosed()
  }
}
