/** Syslog framing of one log line, exactly as HAProxy 2.6 sends it (checked
 *  against haproxy 2.6.12 on loopback, see test/e2e/log):
 *    rfc3164  "<PRI>Nov 21 05:45:42 [host ]tag[pid]: msg"   (host with log-send-hostname;
 *             "localhost" when `format rfc3164` was written without it, none when not written)
 *    local    "<PRI>Nov 21 05:45:42 tag[pid]: msg"
 *    rfc5424  "<PRI>1 2026-11-21T05:45:42.990122+00:00 host|- tag pid - - msg"
 *    priority "<PRI>msg"            short "<LEVEL>msg"
 *    timed    "<LEVEL>ISO-time msg"  iso "ISO-time msg"     raw "msg"
 *  PRI = facility * 8 + level; "short" and "timed" carry the level only.
 *  Header times are the send time in local time (rfc5424 µs + offset). The
 *  datagram is the header and message cut to <maxLen> bytes, then "\n"
 *  (2.6 sends len + 1 bytes; later versions count the newline in len). */
import type { LogTarget } from '../config/plan.ts'
import { isoDate, legacySyslogDate } from './dates.ts'

export type SyslogFormat = LogTarget['format']

/** Who sends: the syslog tag, the pid, and the hostname (log-send-hostname, null = not sent) */
export interface SyslogIdent {
  readonly tag: string
  readonly pid: number
  readonly hostname: string | null
}

/** (level 0..7, message without trailing newline, send time in wall ms) → header + message */
export type SyslogFramer = (level: number, msg: string, wallMs: number) => string

/** rfc5424 §6.2.1: facility * 8 + severity */
export function syslogPri (facility: number, level: number): number { return facility * 8 + level }

/** Compiles the framing of one `log` target; every constant piece is built here.
 *  <formatSet>: the format was written on the `log` line (LogTarget.formatSet). */
export function compileSyslogFraming (format: SyslogFormat, facility: number, ident: SyslogIdent, formatSet = false): SyslogFramer {
  const pri: string[] = []
  const lvl: string[] = []
  for (let l = 0; l < 8; l++) { pri.push('<' + syslogPri(facility, l) + '>'); lvl.push('<' + l + '>') }
  const tagPid = ident.tag + '[' + ident.pid + ']: '
  switch (format) {
    case 'rfc3164': {
      const host = ident.hostname ? ident.hostname + ' ' : formatSet ? 'localhost ' : ''
      const after = ' ' + host + tagPid
      return (level, msg, now) => pri[level] + legacySyslogDate(now) + after + msg
    }
    case 'local': {
      const after = ' ' + tagPid
      return (level, msg, now) => pri[level] + legacySyslogDate(now) + after + msg
    }
    case 'rfc5424': {
      // HOSTNAME APP-NAME PROCID MSGID STRUCTURED-DATA, nil values as "-"
      const after = ' ' + (ident.hostname || '-') + ' ' + (ident.tag || '-') + ' ' + ident.pid + ' - - '
      return (level, msg, now) => pri[level] + '1 ' + isoDate(now) + after + msg
    }
    case 'priority': return (level, msg) => pri[level] + msg
    case 'short': return (level, msg) => lvl[level] + msg
    case 'timed': return (level, msg, now) => lvl[level] + isoDate(now) + ' ' + msg
    case 'iso': return (_level, msg, now) => isoDate(now) + ' ' + msg
    case 'raw': return (_level, msg) => msg
  }
}

/** <msg> without the trailing newlines or NULs that HAProxy strips before framing */
export function stripTrailingNewlines (msg: string): string {
  let end = msg.length
  while (end > 0) {
    const c = msg.charCodeAt(end - 1)
    if (c !== 10 && c !== 0) break
    end--
  }
  return end === msg.length ? msg : msg.slice(0, end)
}

/** The bytes to send: <framed> (UTF-8) cut to <maxLen> bytes, plus "\n". */
export function datagram (framed: string, maxLen: number): Buffer {
  const room = Math.max(maxLen, 0)
  const need = Buffer.byteLength(framed)
  const buf = Buffer.allocUnsafe(Math.min(need, room) + 1)
  const written = buf.write(framed, 0, Math.min(need, room), 'utf8')
  buf[written] = 10
  return written + 1 === buf.length ? buf : buf.subarray(0, written + 1)
}
