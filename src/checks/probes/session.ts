import { connect, type Socket } from 'node:net'
import type { CheckStatusCode, ProbeResult, ProbeTarget } from '../types.ts'
import { startServerTls } from '../../tls/server-tls.ts'
import { errnoText } from './errno.ts'

/** What a wait on the connection ended with. */
export type WaitEnd = 'ok' | 'timeout' | 'error' | 'eof' | 'aborted'

/** HAProxy's check buffer size (tune.bufsize): a check reads at most this much. */
const MAX_RECEIVED = 16384

/** One check's connection and its deadline (HAProxy: the check task's expire).
 *  Probes drive it step by step; it turns socket events into WaitEnd values and
 *  results into ProbeResults with the elapsed duration. Not reusable. */
export class CheckSession {
  /** bytes received since the last connect(), capped at MAX_RECEIVED */
  received: Buffer = Buffer.alloc(0)
  /** the peer closed its side */
  ended = false
  /** errno code of the last socket error ("ECONNREFUSED"), or null */
  errorCode: string | null = null
  connected = false
  /** why the TLS handshake failed (check over TLS), or null */
  tlsFailure: string | null = null
  /** TCP is up and the TLS handshake is under way */
  private handshaking = false

  private readonly startedAt = performance.now()
  private deadline: number
  private socket: Socket | null = null
  /** the TCP socket under <socket> when the check runs over TLS */
  private raw: Socket | null = null
  private wake: ((end: WaitEnd) => void) | null = null
  private timer: ReturnType<typeof setTimeout> | null = null
  private readonly onAbort = (): void => { this.settle('aborted') }

  constructor (private readonly target: ProbeTarget, private readonly signal: AbortSignal) {
    this.deadline = this.startedAt + target.connectMs
    signal.addEventListener('abort', this.onAbort, { once: true })
  }

  /** Opens (or re-opens, for a tcp-check `connect` step) the connection to <port>
   *  (0 = the target's port). */
  async connect (port = 0): Promise<WaitEnd> {
    this.dropSocket()
    this.received = Buffer.alloc(0)
    this.ended = false
    this.connected = false
    this.tlsFailure = null
    this.handshaking = false
    const sock = connect({ host: this.target.host, port: port || this.target.port, localAddress: this.target.localAddress, noDelay: true })
    this.socket = sock
    this.raw = sock
    const established = (io: Socket): void => {
      this.connected = true
      if (this.target.exchangeMs !== null) this.deadline = performance.now() + this.target.exchangeMs
      io.on('data', (chunk: Buffer) => {
        if (this.received.length < MAX_RECEIVED) {
          this.received = Buffer.concat([this.received, chunk]).subarray(0, MAX_RECEIVED)
        }
        this.settle('ok')
      })
      this.settle('ok')
    }
    sock.on('connect', () => {
      const tls = this.target.tls
      if (tls === undefined) { established(sock); return }
      // the TLS handshake is the connection's layer 6: its failure is L6RSP, its timeout L6TOUT
      this.handshaking = true
      this.socket = startServerTls(sock, tls, null, (t, reason) => {
        this.handshaking = false
        // HAProxy's check info is the bare "SSL handshake failure" (<reason> adds node's detail)
        if (t === null) { this.tlsFailure = reason.replace(/ \(.*/, ''); this.settle('error'); return }
        t.on('end', () => { this.ended = true; this.settle('eof') })
        established(t)
      })
    })
    // WHY the identity test: under TLS the dropped TCP socket keeps these listeners (see dropSocket)
    sock.on('end', () => { if (this.raw === sock) { this.ended = true; this.settle('eof') } })
    sock.on('error', (err: NodeJS.ErrnoException) => { if (this.raw === sock) { this.errorCode = err.code ?? 'EIO'; this.settle('error') } })
    sock.on('close', () => { if (this.raw === sock) { this.ended = true; this.settle('eof') } })
    return this.waitEvent()
  }

  send (data: Buffer | string): void {
    if (this.socket !== null && !this.socket.destroyed) this.socket.write(data)
  }

  /** Waits for more data, the end of the stream, an error or the deadline. */
  async waitData (): Promise<WaitEnd> {
    if (this.errorCode !== null) return 'error'
    if (this.ended) return 'eof'
    return this.waitEvent()
  }

  get aborted (): boolean { return this.signal.aborted }

  /** Text of the last socket error as strerror() writes it ("Connection refused"). */
  get errorText (): string { return this.errorCode === null ? '' : errnoText(this.errorCode) }

  result (status: CheckStatusCode, info = '', code = 0): ProbeResult {
    this.close()
    return { status, code, info, durationMs: Math.trunc(performance.now() - this.startedAt) }
  }

  /** The result of a failed wait, as chk_report_conn_err() words it: <where> is the
   *  tcp-check position suffix (" at step 2 of tcp-check (send)"), "" for other checks. */
  failure (end: WaitEnd, where: string): ProbeResult {
    const errText = this.errorText
    const info = errText + where
    if (end === 'aborted') return this.result('UNK')
    if (this.tlsFailure !== null) return this.result('L6RSP', this.tlsFailure + where)
    if (this.handshaking && end === 'timeout') return this.result('L6TOUT', info)
    if (!this.connected) return this.result(end === 'timeout' ? 'L4TOUT' : 'L4CON', info)
    if (end === 'timeout') return this.result('L7TOUT', info)
    return this.result('SOCKERR', info)
  }

  close (): void {
    this.dropSocket()
    if (this.timer !== null) { clearTimeout(this.timer); this.timer = null }
    this.signal.removeEventListener('abort', this.onAbort)
  }

  private dropSocket (): void {
    // WHY the TCP socket under TLS is left alone: the TLS socket owns it (its
    // listeners included) and closes it; touching it from here crashes node
    this.raw = null
    if (this.socket === null) return
    this.socket.removeAllListeners()
    this.socket.on('error', () => {})
    this.socket.destroy()
    this.socket = null
  }

  private waitEvent (): Promise<WaitEnd> {
    if (this.signal.aborted) return Promise.resolve('aborted')
    const left = this.deadline - performance.now()
    if (left <= 0) return Promise.resolve('timeout')
    return new Promise<WaitEnd>(resolve => {
      this.wake = resolve
      this.timer = setTimeout(() => { this.settle('timeout') }, Math.ceil(left))
    })
  }

  private settle (end: WaitEnd): void {
    const wake = this.wake
    if (wake === null) return
    this.wake = null
    if (this.timer !== null) { clearTimeout(this.timer); this.timer = null }
    wake(end)
  }
}
