import type { ErrorCapture } from '../runtime/error-capture.ts'
import type { BackendPlan } from '../config/plan.ts'
import type { Balancer } from '../balance/types.ts'
import type { StreamView } from '../core/stream-view.ts'
import { createBalancer } from '../balance/registry.ts'
import { compileKeySource } from '../balance/key.ts'
import { Fifo } from './fifo.ts'
import { ServerRuntime, type SlotWaiter, type AdminState } from './server-runtime.ts'

/** Result of asking a backend for a server. */
export const Assign = { Granted: 0, Queued: 1, NoServer: 2 } as const
export type AssignT = typeof Assign[keyof typeof Assign]

/** Live state of a backend: servers, balancer, queue and counters.
 *  Slot accounting contract: every Granted (immediately or later through
 *  SlotWaiter.slotGranted) must be matched by exactly one release(). */
export class BackendRuntime {
  readonly servers: ServerRuntime[]
  readonly byName = new Map<string, ServerRuntime>()
  readonly balancer: Balancer
  private readonly keyOf: ((s: StreamView) => number) | null
  /** streams waiting for any server (non-deterministic algorithms when all are full) */
  readonly queue = new Fifo<SlotWaiter>()
  /** some server kills its streams on a state change, or an operator may kill them
   *  (<killable>: an admin stats socket or stats page): streams register on their server */
  readonly trackStreams: boolean
  cur = 0
  maxCur = 0
  total = 0
  bytesIn = 0
  bytesOut = 0
  connErrors = 0
  respErrors = 0
  denied = 0
  readonly hrsp = [0, 0, 0, 0, 0, 0]
  lastChange = Date.now()
  /** reports a server state change the way check transitions are reported
   *  (stderr and the backend's log targets); set by the health wiring */
  announce: (level: number, message: string) => void = () => {}
  /** reports that no server is left ("backend bk has no server available!") */
  announceNoServer: () => void = () => {}
  /** the last invalid response received from a server (`show errors`) */
  lastInvalidResponse: ErrorCapture | null = null

  constructor (readonly plan: BackendPlan, previous?: BackendRuntime, killable = false) {
    this.servers = plan.servers.map(sp => {
      const s = new ServerRuntime(sp)
      // a reload keeps what the operator and the checks decided about a server of the same name
      const old = previous?.byName.get(sp.name)
      if (old !== undefined) { s.checkUp = old.checkUp; if (old.admin !== 'ready' && !sp.disabled) s.admin = old.admin; s.refresh() }
      return s
    })
    for (const s of this.servers) this.byName.set(s.name, s)
    this.trackStreams = killable || plan.servers.some(s => s.onMarkedDown !== 'none' || s.onMarkedUp !== 'none')
    this.balancer = createBalancer(plan.balance, plan.hashType, this.servers, Math.random, plan.allbackups)
    this.keyOf = compileKeySource(plan.balance, plan.hashType)
  }

  get usableCount (): number {
    let n = 0
    for (const s of this.servers) if (s.usable) n++
    return n
  }

  get activeUsable (): number {
    let n = 0
    for (const s of this.servers) if (s.usable && !s.backup) n++
    return n
  }

  /** requests waiting: in the backend's queue and its servers' (HAProxy totpend) */
  get queued (): number {
    let n = this.queue.length
    for (const s of this.servers) n += s.queue.length
    return n
  }

  get backupUsable (): number {
    let n = 0
    for (const s of this.servers) if (s.usable && s.backup) n++
    return n
  }

  /** Chooses a server for <view>, avoiding <avoid> if possible. Grants the
   *  slot, queues <w>, or reports that no server can ever take it. */
  assign (view: StreamView, w: SlotWaiter, avoid: ServerRuntime | null, forced: ServerRuntime | null): { r: AssignT; srv: ServerRuntime | null } {
    let srv: ServerRuntime | null = forced
    if (srv === null) {
      const key = this.keyOf === null ? -1 : this.keyOf(view)
      srv = this.balancer.pick(key, avoid) as ServerRuntime | null
    }
    if (srv === null) {
      if (this.usableCount === 0) return { r: Assign.NoServer, srv: null }
      this.queue.push(w)
      return { r: Assign.Queued, srv: null }
    }
    if (srv.full || srv.queue.length > 0) {
      srv.queue.push(w)
      return { r: Assign.Queued, srv }
    }
    this.take(srv)
    return { r: Assign.Granted, srv }
  }

  private take (srv: ServerRuntime): void {
    srv.cur++
    if (srv.cur > srv.maxCur) srv.maxCur = srv.cur
    srv.total++
    this.balancer.connTaken(srv)
  }

  /** Gives back one slot on <srv> and hands it to the next waiter, if any
   *  (the server's own queue first, then the backend's). */
  release (srv: ServerRuntime): void {
    srv.cur--
    this.balancer.connDropped(srv)
    if (srv.full || !srv.usable) return
    const w = srv.queue.shift() ?? this.queue.shift()
    if (w !== null) { this.take(srv); w.slotGranted(srv) }
  }

  /** Re-dispatches waiters of the backend queue after a server became usable or got room. */
  drainQueue (): void {
    for (;;) {
      const w = this.queue.peek()
      if (w === null) return
      const srv = this.balancer.pick(-1, null) as ServerRuntime | null
      if (srv === null || srv.full) return
      this.queue.shift()
      this.take(srv)
      w.slotGranted(srv)
    }
  }

  /** Applies a health/admin change of <srv> to the balancer. */
  serverChanged (srv: ServerRuntime): void {
    const wasUsable = srv.usable
    srv.refresh()
    if (srv.usable !== wasUsable) {
      if (srv.usable) this.balancer.serverUp(srv)
      else this.balancer.serverDown(srv)
      srv.lastChange = Date.now()
      if (!srv.usable) srv.downTransitions++
    } else {
      this.balancer.weightChanged(srv)
    }
    if (srv.usable) this.drainQueue()
  }

  setAdmin (srv: ServerRuntime, st: AdminState): void { srv.admin = st; this.serverChanged(srv) }

  setWeight (srv: ServerRuntime, w: number): void { srv.userWeight = w; this.serverChanged(srv) }

  /** <nolb>: up but out of load balancing (HAProxy's "stopping" health) */
  setCheckUp (srv: ServerRuntime, up: boolean, nolb = false): void { srv.checkUp = up; srv.nolb = up && nolb; this.serverChanged(srv) }

  /** Closes idle pooled connections (stop, reload). */
  closeIdle (): void {
    for (const s of this.servers) { for (const sock of s.idle.splice(0)) sock.destroy() }
  }
}
