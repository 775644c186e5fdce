/** Observe mode: the node bridges its two ports; when enabled, plain HTTP from
 *  the PC side (port 80 and the listed ports) is intercepted transparently,
 *  relayed unchanged to its original destination and recorded; TLS (443 and the
 *  listed ports) is relayed and listed by SNI. Everything else stays bridged.
 *  Off by default; enable()/disable() add/remove one nft transaction.
 *
 *    const o = new Observer({ bridge: 'br0', pcPort: 'eth0' })
 *    await o.start(); o.enable(); o.store.on('exchange', c => ...); o.disable(); await o.stop() */
import { readFileSync } from 'node:fs'
import { createServer, type Server, type Socket } from 'node:net'
import { interceptHttp } from './http-intercept.ts'
import { applyRules, removeRules, type RuleSpec } from './nft.ts'
import { originalDst, type Endpoint } from './original-dst.ts'
import { CaptureStore } from './store.ts'
import { interceptTls } from './tls-intercept.ts'

export interface ObserveOptions {
  /** The bridge device joining the two ports */
  readonly bridge: string
  /** The bridge port facing the PC (only its traffic is intercepted) */
  readonly pcPort: string
  /** Destination ports recorded as plain HTTP (default [80]) */
  readonly httpPorts?: readonly number[]
  /** Destination ports relayed as TLS and listed by SNI (default [443]) */
  readonly tlsPorts?: readonly number[]
  /** Bytes of each request/response body kept (default 64 KiB) */
  readonly maxBody?: number
  /** Captures kept, the oldest dropped first (default 500) */
  readonly capacity?: number
  /** nft table name (default pocketlb_observe) */
  readonly table?: string
}

const MARK = 0x504c

function listen (onConn: (s: Socket) => void): Promise<Server> {
  return new Promise((resolve, reject) => {
    const srv = createServer({ allowHalfOpen: true }, onConn)
    srv.once('error', reject)
    srv.listen(0, '0.0.0.0', () => resolve(srv))
  })
}

const portOf = (srv: Server): number => (srv.address() as { port: number }).port

export class Observer {
  readonly store: CaptureStore
  private readonly maxBody: number
  private readonly table: string
  private servers: Server[] = []
  private rules: RuleSpec | null = null

  constructor (private readonly opts: ObserveOptions) {
    this.store = new CaptureStore(opts.capacity ?? 500)
    this.maxBody = opts.maxBody ?? 64 * 1024
    this.table = opts.table ?? 'pocketlb_observe'
  }

  get enabled (): boolean { return this.rules !== null }

  /** Opens the local interceptors (nothing is diverted to them until enable()). */
  async start (): Promise<void> {
    const http = await listen(s => this.accept(s, dst => interceptHttp(s, dst, this.store, { maxBody: this.maxBody })))
    const tls = await listen(s => this.accept(s, dst => interceptTls(s, dst, this.store)))
    this.servers = [http, tls]
  }

  /** Diverts the PC side's HTTP/TLS to the interceptors (one atomic nft transaction). */
  enable (): void {
    const [http, tls] = this.servers
    if (!http || !tls) throw new Error('Observer.enable() before start()')
    this.rules = {
      table: this.table, pcPort: this.opts.pcPort, mark: MARK,
      bridgeMac: readFileSync(`/sys/class/net/${this.opts.bridge}/address`, 'utf8').trim(),
      redirects: [{ ports: this.opts.httpPorts ?? [80], to: portOf(http) }, { ports: this.opts.tlsPorts ?? [443], to: portOf(tls) }]
    }
    applyRules(this.rules)
  }

  /** Back to a plain bridge. Connections intercepted so far end (their next packets
   *  reach a server that never saw them); new ones are bridged untouched. */
  disable (): void {
    removeRules(this.table)
    this.rules = null
  }

  async stop (): Promise<void> {
    if (this.enabled) this.disable()
    await Promise.all(this.servers.map(s => new Promise(resolve => s.close(resolve))))
    this.servers = []
  }

  private accept (s: Socket, intercept: (dst: Endpoint) => void): void {
    s.on('error', () => {})
    const dst = originalDst(s.remoteAddress ?? '', s.remotePort ?? 0, s.localPort ?? 0)
    // no conntrack entry, or a direct connection to the interceptor itself: nothing to relay to
    if (dst === null || dst.port === s.localPort) { s.destroy(); return }
    intercept(dst)
  }
}
