import type { BackendRuntime } from '../proxy/backend-runtime.ts'
import type { AdminState, ServerRuntime } from '../proxy/server-runtime.ts'
import { redistributeQueue } from '../proxy/health-wiring.ts'
import { adminChangeMessages, serverDownMessage, serverStoppingMessage, serverUpMessage, type DownCounts, type OperatorCause, type UpCounts } from '../checks/messages.ts'
import { Level } from '../log/types.ts'

/** Server state changes made by an operator (runtime API, stats page), with
 *  what HAProxy 2.6 does around them: maintenance pauses the checks and sends
 *  the waiting requests elsewhere, and every change is reported with
 *  HAProxy's words on stderr and to the backend's log targets. */

/** Servers taking new load-balanced traffic (HAProxy srv_act / srv_bck): up, not draining, not NOLB. */
function inService (be: BackendRuntime, backup: boolean): number {
  let n = 0
  for (const s of be.servers) if (s.usable && s.weight > 0 && s.backup === backup) n++
  return n
}

function downCounts (be: BackendRuntime, srv: ServerRuntime, sessions: number, requeued: number): DownCounts {
  return { activeLeft: inService(be, false), backupLeft: inService(be, true), sessionsActive: sessions, requeued, remainingInQueue: srv.queue.length }
}

function upCounts (be: BackendRuntime, srv: ServerRuntime, requeued: number): UpCounts {
  return { activeOnline: inService(be, false), backupOnline: inService(be, true), requeued, totalInQueue: srv.queue.length }
}

/** Sets <srv>'s admin state: maintenance pauses its checks (health 0) and
 *  leaving it counts the server up at once while the next check confirms. */
export function setServerAdmin (be: BackendRuntime, srv: ServerRuntime, st: AdminState): void {
  const from = srv.admin
  if (from === st) return
  const serving = inService(be, false) + inService(be, true)
  const wasDown = !srv.checkUp
  const wasStopping = srv.nolb || from === 'drain'
  const sessions = srv.cur
  const c = srv.checkControl
  if (st === 'maint') c?.maintenance(true)
  else if (from === 'maint') { c?.maintenance(false); srv.checkUp = true; srv.nolb = false }
  be.setAdmin(srv, st)
  const requeued = st === 'ready' ? 0 : redistributeQueue(be, srv)
  const level = st === 'maint' && !wasDown && !wasStopping ? Level.alert : Level.notice
  for (const m of adminChangeMessages(be.plan.name, srv.name, srv.backup, from, st, wasDown, srv.checkUp,
    downCounts(be, srv, sessions, requeued), upCounts(be, srv, requeued))) be.announce(level, m)
  noServerLeft(be, serving)
}

/** HAProxy's "backend X has no server available!" when the change took the last one. */
function noServerLeft (be: BackendRuntime, servingBefore: number): void {
  if (servingBefore > 0 && inService(be, false) + inService(be, true) === 0) be.announceNoServer()
}

/** Forces the agent's verdict and, as HAProxy, the server's state with it
 *  (whatever the health checks said). False when no agent runs on <srv>. */
export function forceAgentVerdict (be: BackendRuntime, srv: ServerRuntime, up: boolean, cause: OperatorCause): boolean {
  const c = srv.checkControl
  if (c === null || !c.agentEnabled()) return false
  c.forceAgent(up)
  setServerHealth(be, srv, up ? 'up' : 'down', cause)
  return true
}

/** What an operator forces the health to (`set server health`, the stats page's hrunn/hnolb/hdown). */
export type ForcedHealth = 'up' | 'nolb' | 'down'

/** Forces <srv>'s health, as seen by its checks too (counter to its top or 0). */
export function forceServerHealth (be: BackendRuntime, srv: ServerRuntime, health: ForcedHealth, cause: OperatorCause): void {
  srv.checkControl?.forceHealth(health !== 'down')
  srv.uncheckedHealth = health === 'down' ? 0 : srv.plan.check.rise + srv.plan.check.fall - 1
  setServerHealth(be, srv, health, cause)
}

/** Sets <srv>'s health (after an agent verdict was forced, say) and reports
 *  the change; a server in maintenance keeps it (HAProxy ignores the change). */
export function setServerHealth (be: BackendRuntime, srv: ServerRuntime, health: ForcedHealth, cause: OperatorCause): void {
  const before: ForcedHealth = !srv.checkUp ? 'down' : srv.nolb ? 'nolb' : 'up'
  if (srv.admin === 'maint' || before === health) return
  const wasStopping = before === 'nolb' || srv.admin === 'drain'
  const sessions = srv.cur
  const serving = inService(be, false) + inService(be, true)
  be.setCheckUp(srv, health !== 'down', health === 'nolb')
  const requeued = health === 'up' ? 0 : redistributeQueue(be, srv)
  const b = be.plan.name
  if (health === 'down') be.announce(wasStopping ? Level.notice : Level.alert, serverDownMessage(b, srv.name, srv.backup, cause, downCounts(be, srv, sessions, requeued)))
  else if (health === 'nolb') be.announce(Level.notice, serverStoppingMessage(b, srv.name, srv.backup, cause, upCounts(be, srv, requeued)))
  else be.announce(Level.notice, serverUpMessage(b, srv.name, srv.backup, cause, upCounts(be, srv, requeued)))
  noServerLeft(be, serving)
}
