import { CHECK_STATUSES } from './status.ts'
import type { CheckStatusCode } from './types.ts'

/** HAProxy 2.6's texts for health changes (server.c srv_update_status,
 *  srv_append_status, check.c set_server_check_status, backend.c set_backend_down),
 *  checked against haproxy 2.6.12's stderr. Lines have no trailing "\n"; the
 *  stderr form adds "[WARNING]  (pid) : " in front. */

/** The check details appended to a message; null = none ("Server bk/s1 is DOWN."
 *  when option log-health-checks already logged them). */
export interface CheckDetails {
  readonly status: CheckStatusCode
  readonly code: number
  readonly info: string
  readonly durationMs: number
}

/** Who changed a server's state by hand (HAProxy srv_op_st_chg_cause): the
 *  message says ", changed from CLI" instead of check details. */
export type OperatorCause = 'CLI' | 'Web interface'

/** What a state message explains the change with. */
export type ChangeCause = CheckDetails | OperatorCause | null

function causeText (c: ChangeCause): string {
  if (c === null) return ''
  return typeof c === 'string' ? `, changed from ${c}` : checkDetailsText(c)
}

/** Counts after the change, filled by the integrator. */
export interface DownCounts {
  readonly activeLeft: number
  readonly backupLeft: number
  readonly sessionsActive: number
  readonly requeued: number
  readonly remainingInQueue: number
}

export interface UpCounts {
  readonly activeOnline: number
  readonly backupOnline: number
  readonly requeued: number
  readonly totalInQueue: number
}

/** HAProxy's chunk_asciiencode(.., '"'): bytes that are not printable ASCII, and
 *  '<', '>', '"', become "<XX>" (upper-case hex). */
function encodeInfo (text: string): string {
  let out = ''
  for (const b of Buffer.from(text, 'utf8')) {
    out += b < 0x20 || b > 0x7e || b === 0x3c || b === 0x3e || b === 0x22
      ? '<' + b.toString(16).toUpperCase().padStart(2, '0') + '>'
      : String.fromCharCode(b)
  }
  return out
}

/** ", reason: ..., code: ..., info: \"...\", check duration: Nms" */
export function checkDetailsText (d: CheckDetails): string {
  const s = CHECK_STATUSES[d.status]
  let out = `, reason: ${s.reason}`
  if (s.showsCode) out += `, code: ${d.code}`
  if (d.info !== '') out += `, info: "${encodeInfo(d.info)}"`
  if (d.durationMs >= 0) out += `, check duration: ${Math.trunc(d.durationMs)}ms`
  return out
}

function serverTitle (backend: string, server: string, backup: boolean): string {
  return `${backup ? 'Backup ' : ''}Server ${backend}/${server}`
}

function runningOnBackup (active: number, backup: number): string {
  return backup > 0 && active === 0 ? ' Running on backup.' : ''
}

/** srv_append_more for a server now stopped */
function leftText (n: DownCounts): string {
  return `. ${n.activeLeft} active and ${n.backupLeft} backup servers left.${runningOnBackup(n.activeLeft, n.backupLeft)} ` +
    `${n.sessionsActive} sessions active, ${n.requeued} requeued, ${n.remainingInQueue} remaining in queue.`
}

/** srv_append_more for a server still running */
function onlineText (n: UpCounts): string {
  return `. ${n.activeOnline} active and ${n.backupOnline} backup servers online.${runningOnBackup(n.activeOnline, n.backupOnline)} ` +
    `${n.requeued} sessions requeued, ${n.totalInQueue} total in queue.`
}

export function serverDownMessage (backend: string, server: string, backup: boolean, cause: ChangeCause, n: DownCounts): string {
  return `${serverTitle(backend, server, backup)} is DOWN${causeText(cause)}${leftText(n)}`
}

export function serverUpMessage (backend: string, server: string, backup: boolean, cause: ChangeCause, n: UpCounts): string {
  return `${serverTitle(backend, server, backup)} is UP${causeText(cause)}${onlineText(n)}`
}

/** A server forced to NOLB ("stopping") by an operator. */
export function serverStoppingMessage (backend: string, server: string, backup: boolean, cause: OperatorCause, n: UpCounts): string {
  return `${serverTitle(backend, server, backup)} is stopping${causeText(cause)}${onlineText(n)}`
}

/** An operator's admin state change (srv_update_status, admin side); null
 *  when HAProxy says nothing. <up>: the server's health after the change. */
export function adminChangeMessages (backend: string, server: string, backup: boolean,
  from: 'ready' | 'drain' | 'maint', to: 'ready' | 'drain' | 'maint', wasDown: boolean, up: boolean,
  down: DownCounts, online: UpCounts): string[] {
  const title = serverTitle(backend, server, backup)
  if (from === to) return []
  if (to === 'maint') return [wasDown ? `${title} was DOWN and now enters maintenance.` : `${title} is going DOWN for maintenance${leftText(down)}`]
  const health = up ? 'UP' : 'DOWN'
  if (from === 'maint') {
    const out = [`${title} is ${health}/${to === 'drain' ? 'DRAIN' : 'READY'} (leaving forced maintenance).`]
    if (to === 'drain') out.push(`${title} remains in forced drain mode.`)
    return out
  }
  return [to === 'drain' ? `${title} enters drain state${onlineText(online)}` : `${title} is ${health} (leaving forced drain).`]
}

/** Syslog form; the stderr form is `backend '<name>' has no server available!`.
 *  <kind>: "proxy" for a listen section (HAProxy proxy_type_str). */
export function backendDownMessage (backend: string, kind: 'backend' | 'proxy' = 'backend'): string {
  return `${kind} ${backend} has no server available!`
}

export function backendDownAlert (backend: string, kind: 'backend' | 'proxy' = 'backend'): string {
  return `${kind} '${backend}' has no server available!`
}

/** option log-health-checks line for one check whose status or health changed.
 *  <healthText> is state.ts healthText() after the check ("1/2 UP"). */
export function healthCheckLogMessage (backend: string, server: string, backup: boolean,
  details: CheckDetails, healthText: string): string {
  const outcome = CHECK_STATUSES[details.status].outcome
  const verdict = outcome === 'condpass' ? 'conditionally succeeded' : outcome === 'failed' ? 'failed' : 'succeeded'
  return `Health check for ${backup ? 'backup ' : ''}server ${backend}/${server} ${verdict}` +
    `${checkDetailsText(details)}, status: ${healthText}.`
}
