import { HealthMonitor } from '../checks/scheduler.ts'
import { defaultProbers } from '../checks/probers.ts'
import { serverDownMessage, serverUpMessage, backendDownMessage, backendDownAlert, type CheckDetails } from '../checks/messages.ts'
import { systemClock, systemTimers } from '../core/clock.ts'
import { LogSink } from '../log/sink.ts'
import { Level } from '../log/types.ts'
import { consoleAlert, consoleWarning } from '../log/logger.ts'
import type { BackendRuntime } from './backend-runtime.ts'
import type { ServerRuntime } from './server-runtime.ts'
import type { GlobalPlan } from '../config/plan.ts'

/** Moves the requests waiting on <srv>, which can no longer serve, to the
 *  backend's queue and lets the other servers take them (HAProxy
 *  pendconn_redistribute): only with `option redispatch` and without
 *  `option persist`, otherwise they wait for <srv>. Returns how many moved. */
export function redistributeQueue (be: BackendRuntime, srv: ServerRuntime): number {
  if (!be.plan.redispatch || be.plan.persist) return 0
  let moved = 0
  for (let w = srv.queue.shift(); w !== null; w = srv.queue.shift()) { be.queue.push(w); moved++ }
  if (moved > 0) be.drainQueue()
  return moved
}

/** Health checks of every backend of a generation. A transition changes the
 *  server's check state in the balancer and is reported as HAProxy does:
 *  on stderr and to the backend's log targets (DOWN at alert, UP at notice),
 *  plus "backend X has no server available!" when the last one goes. */
export class HealthWiring {
  private readonly monitors: HealthMonitor<ServerRuntime>[] = []
  private readonly sinks: LogSink[] = []

  constructor (backends: Iterable<BackendRuntime>, global: GlobalPlan, quiet: boolean) {
    for (const be of backends) {
      const sink = be.plan.logs.length > 0 ? new LogSink(be.plan.logs, { tag: global.logTag, hostname: global.logSendHostname }) : null
      if (sink !== null) this.sinks.push(sink)
      // HAProxy prints server state changes as warnings whatever their syslog level
      const say = (level: number, msg: string): void => {
        if (!quiet) consoleWarning(msg)
        sink?.send(level, msg)
      }
      const kind = be.plan.isListen ? 'proxy' : 'backend'
      const noServerLeft = (): void => {
        if (!quiet) consoleAlert(backendDownAlert(be.plan.name, kind))
        sink?.send(Level.emerg, backendDownMessage(be.plan.name, kind))
      }
      be.announce = say
      be.announceNoServer = noServerLeft
      const mon = new HealthMonitor<ServerRuntime>({
        backend: be.plan,
        servers: be.servers,
        clock: systemClock,
        timers: systemTimers,
        probers: defaultProbers,
        spreadChecks: global.spreadChecks,
        onChange: (srv, ev) => {
          const waiting = be.queue.length
          be.setCheckUp(srv, ev.up)
          const details: CheckDetails | null = be.plan.check.logHealthChecks ? null : { status: ev.checkStatus, code: ev.code, info: ev.info, durationMs: ev.durationMs }
          if (ev.up) {
            if (srv.plan.onMarkedUp === 'shutdown-backup-sessions' && !srv.backup) for (const b of be.servers) if (b.backup) b.shutdownStreams('U')
            say(Level.notice, serverUpMessage(be.plan.name, srv.name, srv.backup, details,
              { activeOnline: be.activeUsable, backupOnline: be.backupUsable, requeued: waiting - be.queue.length, totalInQueue: be.queue.length }))
          } else {
            // the message counts the sessions as they were when the server went down
            const active = srv.cur
            if (srv.plan.onMarkedDown === 'shutdown-sessions') srv.shutdownStreams('D')
            const requeued = redistributeQueue(be, srv)
            say(Level.alert, serverDownMessage(be.plan.name, srv.name, srv.backup, details,
              { activeLeft: be.activeUsable, backupLeft: be.backupUsable, sessionsActive: active, requeued, remainingInQueue: srv.queue.length }))
            if (be.usableCount === 0) noServerLeft()
          }
        }
      })
      for (const srv of be.servers) { srv.checkView = () => mon.viewOf(srv); srv.checkControl = mon.control(srv) }
      mon.start()
      this.monitors.push(mon)
    }
  }

  stop (): void {
    for (const m of this.monitors) m.stop()
    for (const s of this.sinks) s.close()
  }
}
