/** Observe mode: the node bridges its two ports; when enabled, plain HTTP from
 *  the PC side (port 80 and the listed ports) is intercepted transparently,
 *  relayed unchanged to its original destination and recorded; TLS (443 and the
 *  listed ports) is relayed and listed by SNI. Everything else stays bridged.
 *  Off by default; enable()/disable() only change which new connections are
 *  diverted (nft.ts), so switching never cuts a connection.
 *
 *    const o = new Observer({ bridge: 'br0', pcPort: 'eth0' })
 *    await o.start(); o.enable(); o.store.on('exchange', c => ...); o.disable(); await o.stop() */
import { readFileSync } from 'node:fs'
import { createServer, type Server, type Socket } from 'node:net'
import { interceptHttp } from './http-intercept.ts'
import { installRules, removeRules, setAdmission, type RuleSpec } from './nft.ts'
import { originalDst, plainAddress, type Endpoint } from './original-dst.ts'
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

/** A listener on every address, IPv6 and IPv4 alike (IPv4 only where IPv6 is off). */
function listen (onConn: (s: Socket) => void): Promise<Server> {
  const on = (host: string): Promise<Server> => new Promise((resolve, reject) => {
    const srv = createServer({ allowHalfOpen: true }, onConn)
    srv.once('error', reject)
    srv.listen({ port: 0, host, ipv6Only: false }, () => resolve(srv))
  })
  return on('::').catch(() => on('0.0.0.0'))
}

const portOf = (srv: Server): number => (srv.address() as { port: number }).port

export class Observer {
  readonly store: CaptureStore
  readonly httpPorts: readonly number[]
  readonly tlsPorts: readonly number[]
  readonly maxBody: number
  private readonly table: string
  private servers: Server[] = []
  private rules: RuleSpec | null = null
  private on = false
  /** Client sockets being relayed (ended by stop()) */
  private readonly open = new Set<Socket>()

  constructor (private readonly opts: ObserveOptions) {
    this.store = new CaptureStore(opts.capacity ?? 500)
    this.maxBody = opts.maxBody ?? 64 * 1024
    this.table = opts.table ?? 'pocketlb_observe'
    this.httpPorts = opts.httpPorts ?? [80]
    this.tlsPorts = opts.tlsPorts ?? [443]
  }

  get enabled (): boolean { return this.on }

  /** Intercepted connections still being relayed */
  get relayed (): number { return this.open.size }

  /** Opens the local interceptors and installs the rules, observe off. */
  async start (): Promise<void> {
    const http = await listen(s => this.accept(s, dst => interceptHttp(s, dst, this.store, { maxBody: this.maxBody })))
    const tls = await listen(s => this.accept(s, dst => interceptTls(s, dst, this.store)))
    this.servers = [http, tls]
    this.rules = {
      table: this.table, pcPort: this.opts.pcPort, mark: MARK,
      bridgeMac: readFileSync(`/sys/class/net/${this.opts.bridge}/address`, 'utf8').trim(),
      redirects: [{ ports: this.httpPorts, to: portOf(http) }, { ports: this.tlsPorts, to: portOf(tls) }]
    }
    installRules(this.rules)
  }

  /** New connections from the PC side to the intercepted ports are diverted to
   *  the interceptors; connections already open stay bridged. */
  enable (): void { this.admit(true) }

  /** New connections are bridged untouched; the ones intercepted so far keep
   *  being relayed until they end. */
  disable (): void { this.admit(false) }

  /** Removes the rules and ends the relayed connections. */
  async stop (): Promise<void> {
    if (this.rules !== null) removeRules(this.table)
    this.rules = null
    this.on = false
    for (const s of this.open) s.destroy()
    await Promise.all(this.servers.map(s => new Promise(resolve => s.close(resolve))))
    this.servers = []
  }

  private admit (on: boolean): void {
    if (this.rules === null) throw new Error('observe: switched before start()')
    setAdmission(this.rules, on)
    this.on = on
  }

  private accept (s: Socket, intercept: (dst: Endpoint) => void): void {
    s.on('error', () => {})
    const dst = originalDst(plainAddress(s.remoteAddress ?? ''), s.remotePort ?? 0, s.localPort ?? 0)
    // no conntrack entry, or a direct connection to the interceptor itself: nothing to relay to
    if (dst === null || dst.port === s.localPort) { s.destroy(); return }
    this.open.add(s)
    s.once('close', () => this.open.delete(s))
    intercept(dst)
  }
}
