/** Termination state codes of HAProxy 2.6 access logs (%ts / %tsc).
 *  The proxy decides which cause and phase apply when a stream ends; this
 *  module only documents the alphabet and builds the 4-char string
 *  (cause, phase, request cookie, response cookie). */

/** First char: what caused the session to end. */
export const TermCause = {
  /** '-': normal end */
  none: '-',
  /** the client aborted or a client-side error occurred (RST, timeout handled as 'c') */
  client: 'C',
  /** the server aborted or refused (RST, ICMP, bad response) */
  server: 'S',
  /** the proxy stopped it: an http-request deny/tarpit/return, or a response blocked */
  proxy: 'P',
  /** the session was served locally (stats page, redirect, http-request return) */
  local: 'L',
  /** out of local resources (memory, sockets, source ports) */
  resource: 'R',
  /** internal error detected by the proxy (bug-class condition) */
  internal: 'I',
  /** killed by an admin action or because the server was marked DOWN (on-marked-down) */
  down: 'D',
  /** killed because a backup server came UP (on-marked-up shutdown-backup-sessions) */
  up: 'U',
  /** killed by the runtime API ("shutdown session") */
  killed: 'K',
  /** client-side timeout expired */
  clientTimeout: 'c',
  /** server-side timeout expired */
  serverTimeout: 's'
} as const

/** Second char: in which phase the session was when it ended. */
export const TermPhase = {
  /** '-': normal end, after the last data was transferred */
  none: '-',
  /** waiting for a complete, valid request from the client (HTTP) or the first data (TCP) */
  request: 'R',
  /** waiting in a queue for a server slot */
  queue: 'Q',
  /** waiting for the connection to the server to establish */
  connect: 'C',
  /** waiting for the complete response headers from the server */
  headers: 'H',
  /** transferring data (body or TCP stream) */
  data: 'D',
  /** transmitting the last data to the client while the server already finished */
  last: 'L',
  /** tarpitted: the request was held then refused */
  tarpit: 'T'
} as const

/** Third char (%tsc, HTTP with cookie persistence): the persistence cookie sent by the client. */
export const ReqCookieState = {
  /** cookie persistence not configured on the backend */
  notConfigured: '-',
  none: 'N', invalid: 'I', downServer: 'D', valid: 'V', expired: 'E', old: 'O', unused: 'U'
} as const

/** Fourth char (%tsc): what the proxy did with the response's persistence cookie. */
export const ResCookieState = {
  notConfigured: '-',
  none: 'N', passive: 'P', deleted: 'D', inserted: 'I', rewritten: 'R', updated: 'U'
} as const

export type TermCauseCode = typeof TermCause[keyof typeof TermCause]
export type TermPhaseCode = typeof TermPhase[keyof typeof TermPhase]
export type ReqCookieCode = typeof ReqCookieState[keyof typeof ReqCookieState]
export type ResCookieCode = typeof ResCookieState[keyof typeof ResCookieState]

/** The 4-char %tsc string for LogRecord.termState; cookie chars default to '-'
 *  (no persistence cookie configured). */
export function termState (cause: TermCauseCode, phase: TermPhaseCode,
  reqCookie: ReqCookieCode = '-', resCookie: ResCookieCode = '-'): string {
  return cause + phase + reqCookie + resCookie
}
