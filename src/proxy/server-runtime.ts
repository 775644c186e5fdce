import type { Socket } from 'node:net'
import type { LbServer } from '../balance/types.ts'
import type { ServerPlan } from '../config/plan.ts'
import type { CheckControl, CheckView } from '../checks/types.ts'
import { Fifo, type FifoEntry } from './fifo.ts'

/** Something waiting for a connection slot on a server or backend. */
export interface SlotWaiter extends FifoEntry {
  /** the slot is granted on <srv>; the waiter now owns one unit of srv.cur */
  slotGranted (srv: ServerRuntime): void
}

/** Operational state (HAProxy: UP/DOWN from checks, READY/DRAIN/MAINT from admin). */
export type AdminState = 'ready' | 'drain' | 'maint'

/** Live state of one server: what balancers see (LbServer) plus queues,
 *  idle connections kept for http-reuse, and counters for stats and logs.
 *  Owned by its BackendRuntime; mutated only on the event loop. */
/** A stream holding a slot on a server, which the server's state change may end
 *  (`on-marked-down shutdown-sessions`, `on-marked-up shutdown-backup-sessions`). */
export interface ServerStream {
  shutdownByServer (code: ShutdownCode): void
}

/** The log's termination letter of a stream cut by its server's state: D (the
 *  server went down), U (an active server came up), K (killed by an operator). */
export type ShutdownCode = 'D' | 'U' | 'K'

export class ServerRuntime implements LbServer {
  readonly id: number
  readonly name: string
  readonly backup: boolean
  /** where new connections go: the configured address until `set server addr` moves it */
  host: string
  port: number
  /** <port> is an offset to the port the client reached (a server without a port) */
  mapPorts: boolean
  weight: number
  usable: boolean
  cur = 0
  maxconn: number
  /** checks say UP (true when checks are disabled) */
  checkUp = true
  /** forced NOLB (HAProxy SRV_ST_STOPPING: up, but no new load-balanced traffic) */
  nolb = false
  /** the health counter of a server without checks, as HAProxy keeps it (moved only by forced health) */
  uncheckedHealth: number
  admin: AdminState
  /** user-set weight (`set weight`), before drain */
  userWeight: number
  readonly queue = new Fifo<SlotWaiter>()
  /** idle server connections available for reuse (http-reuse) */
  readonly idle: Socket[] = []
  /** streams holding a slot here; filled only in backends whose servers use on-marked-down/up */
  readonly streams = new Set<ServerStream>()
  /** next source port to try when a source port range is configured */
  nextSourcePort: number
  // counters
  total = 0
  maxCur = 0
  bytesIn = 0
  bytesOut = 0
  connErrors = 0
  respErrors = 0
  retries = 0
  redispatches = 0
  lastChange = Date.now()
  downTransitions = 0
  /** ms spent not usable before the current down period (HAProxy down_time) */
  private downMs = 0
  private downSince = Date.now()
  /** check and agent state for stats, read on demand; set by the health wiring */
  checkView: (() => CheckView | null) | null = null
  /** the runtime's hold on this server's checks (stats page actions); set by the health wiring */
  checkControl: CheckControl | null = null
  /** responses by class: 1xx..5xx, other */
  readonly hrsp = [0, 0, 0, 0, 0, 0]

  constructor (readonly plan: ServerPlan) {
    this.id = plan.id
    this.name = plan.name
    this.backup = plan.backup
    this.host = plan.host
    this.port = plan.port
    this.mapPorts = plan.port === 0 && plan.unixPath === ''
    this.userWeight = plan.weight
    this.weight = plan.weight
    this.maxconn = plan.maxconn
    this.admin = plan.disabled ? 'maint' : 'ready'
    this.usable = !plan.disabled
    this.uncheckedHealth = plan.disabled ? 0 : plan.check.rise
    this.nextSourcePort = plan.source?.portLow ?? 0
  }

  /** Sends new connections and checks to <host>:<port> (a port map when <mapPorts>).
   *  Connections established stay where they are; idle ones kept for reuse are closed. */
  moveTo (host: string, port: number, mapPorts: boolean): void {
    this.host = host
    this.port = port
    this.mapPorts = mapPorts
    for (const s of this.idle.splice(0)) s.destroy()
    this.checkControl?.serverMoved(host, mapPorts ? 0 : port)
  }

  /** Ends every stream holding a slot here (HAProxy srv_shutdown_streams). */
  shutdownStreams (code: ShutdownCode): void {
    for (const s of [...this.streams]) s.shutdownByServer(code)
  }

  /** true when a new connection would exceed maxconn */
  get full (): boolean { return this.maxconn > 0 && this.cur >= this.maxconn }

  /** Recomputes <usable>/<weight> from check and admin state. Returns true if usability changed. */
  refresh (): boolean {
    const was = this.usable
    this.usable = this.checkUp && this.admin !== 'maint'
    this.weight = this.admin === 'drain' || this.nolb ? 0 : this.userWeight
    if (was && !this.usable) this.downSince = Date.now()
    else if (!was && this.usable) this.downMs += Date.now() - this.downSince
    return was !== this.usable
  }

  /** Seconds spent DOWN or in maintenance since start (HAProxy srv_downtime). */
  downtimeSec (now: number): number {
    return Math.floor((this.downMs + (this.usable ? 0 : now - this.downSince)) / 1000)
  }

  /** HAProxy's status text for stats: UP, DOWN, MAINT, DRAIN, NOLB */
  get statusText (): string {
    if (this.admin === 'maint') return 'MAINT'
    if (!this.checkUp) return 'DOWN'
    if (this.admin === 'drain') return 'DRAIN'
    return this.nolb ? 'NOLB' : 'UP'
  }
}
