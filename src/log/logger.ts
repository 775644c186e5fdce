/** The process logger.
 *  - Console messages as HAProxy 2.6 prints them on stderr (checked with
 *    haproxy -db): "[NOTICE]   (pid) : msg", "[WARNING]  (pid) : msg",
 *    "[ALERT]    (pid) : msg". Written synchronously: they are rare, and an
 *    alert is often the last thing printed before exit.
 *  - Server and backend state changes: a console [WARNING]/[ALERT] plus the
 *    same text to the syslog sinks at HAProxy's levels (DOWN = alert,
 *    UP = notice, "has no server available!" = emerg).
 *  - Internal/debug logs: pino JSON lines on stderr through one buffered
 *    destination (no worker transport, bundle-safe); level "debug" when the
 *    CLI runs with -d, else "warn" so that normal runs print only HAProxy-style
 *    console lines. */
import { writeSync } from 'node:fs'
import pino from 'pino'
import type { Logger } from 'pino'
import { Level } from './types.ts'
import { fdDestination } from './sink.ts'

/** Anything that takes syslog lines (LogSink) */
export interface LineSender { send (level: number, line: string): void }

const LABELS = { notice: '[NOTICE]   ', warning: '[WARNING]  ', alert: '[ALERT]    ' } as const

function consoleLine (label: keyof typeof LABELS, msg: string): void {
  const text = LABELS[label] + '(' + process.pid + ') : ' + msg + (msg.endsWith('\n') ? '' : '\n')
  try { writeSync(2, text) } catch { /* stderr closed: nothing else to tell */ }
}

export function consoleNotice (msg: string): void { consoleLine('notice', msg) }
export function consoleWarning (msg: string): void { consoleLine('warning', msg) }
export function consoleAlert (msg: string): void { consoleLine('alert', msg) }

/** pino instance for internal diagnostics; <debug> = CLI -d */
export function createInternalLogger (debug: boolean): Logger {
  return pino({ level: debug ? 'debug' : 'warn', base: { pid: process.pid } }, fdDestination(2))
}

/** What a health-check transition reports (HAProxy srv_update_status texts) */
export interface ServerStateChange {
  readonly backend: string
  readonly server: string
  readonly up: boolean
  /** "Layer4 connection problem", "Layer7 wrong status", "Layer4 check passed", ... */
  readonly reason: string
  /** check detail such as "Connection refused"; "" when none */
  readonly info: string
  /** check duration in ms, -1 when not applicable (admin action) */
  readonly checkDurationMs: number
  /** servers usable after the change */
  readonly activeLeft: number
  readonly backupLeft: number
  /** DOWN: sessions still on the server; requeued and still queued counts */
  readonly sessionsActive: number
  readonly requeued: number
  readonly remainingInQueue: number
}

/** "Server bk/s1 is DOWN, reason: ..., info: "...", check duration: 0ms. 1 active and 0 backup servers left. ..." */
export function serverStateMessage (c: ServerStateChange): string {
  let m = `Server ${c.backend}/${c.server} is ${c.up ? 'UP' : 'DOWN'}, reason: ${c.reason}`
  if (c.info) m += `, info: "${c.info}"`
  if (c.checkDurationMs >= 0) m += `, check duration: ${c.checkDurationMs}ms`
  if (c.up) {
    return m + `. ${c.activeLeft} active and ${c.backupLeft} backup servers online. ${c.requeued} sessions requeued, ${c.remainingInQueue} total in queue.`
  }
  m += `. ${c.activeLeft} active and ${c.backupLeft} backup servers left.`
  if (c.activeLeft === 0 && c.backupLeft > 0) m += ' Running on backup.'
  return m + ` ${c.sessionsActive} sessions active, ${c.requeued} requeued, ${c.remainingInQueue} remaining in queue.`
}

/** Reports a server transition on the console and to <sinks> (the backend's log targets). */
export function reportServerState (sinks: readonly LineSender[], c: ServerStateChange): void {
  const msg = serverStateMessage(c)
  consoleWarning(msg + '\n')
  const level = c.up ? Level.notice : Level.alert
  for (const s of sinks) s.send(level, msg)
  if (!c.up && c.activeLeft === 0 && c.backupLeft === 0) reportNoServer(sinks, c.backend)
}

/** "backend bk has no server available!": console alert (name quoted) and emerg to syslog */
export function reportNoServer (sinks: readonly LineSender[], backend: string): void {
  consoleAlert(`backend '${backend}' has no server available!\n`)
  for (const s of sinks) s.send(Level.emerg, `backend ${backend} has no server available!`)
}
