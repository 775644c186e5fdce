import type { CheckStatusCode } from '../types.ts'
import type { CheckOp, ExpectDecision } from '../engine.ts'

/** The regex expects of HAProxy's built-in protocol checks (smtpchk,
 *  pgsql-check, ldap-check, ssl-hello-chk), with their options: min-recv,
 *  "!" (inverse), error status, on-error / on-success texts and the status
 *  code taken from the answer (tcpcheck_eval_expect). */
export interface PatternRule {
  readonly step: number
  /** run on the bytes as latin1 text, or on their upper-case hex dump (rbinary) */
  readonly pattern: RegExp
  readonly binary?: boolean
  /** "!rstring": matching is the failure */
  readonly inverse?: boolean
  /** bytes needed before judging, -1 = none (then a mismatch waits for more) */
  readonly minRecv: number
  readonly errorStatus: CheckStatusCode
  /** the status when this rule ends the check successfully (default L7OK) */
  readonly okStatus?: CheckStatusCode
  /** info of a failure, computed from the answer */
  readonly onError?: (received: Buffer) => string
  /** info of a success ending the check */
  readonly onSuccess?: (received: Buffer) => string
  /** the check code shown in stats (SMTP reply code) */
  readonly code?: (received: Buffer) => number
  /** true when the check ends on this rule's success */
  readonly last?: boolean
}

/** HAProxy's res.payload(<from>,0),ltrim(' '),cut_crlf */
export function payloadLine (b: Buffer, from: number): string {
  const text = b.toString('latin1', Math.min(from, b.length)).replace(/^ +/, '')
  const cut = text.search(/[\r\n]/)
  return cut < 0 ? text : text.slice(0, cut)
}

/** The reply code in the first 3 bytes (res.payload(0,3)), 0 when not a number. */
export function replyCode (b: Buffer): number {
  const n = Number(b.toString('latin1', 0, 3))
  return Number.isInteger(n) ? n : 0
}

/** Compiles <r> into an expect op of the check engine. */
export function patternExpect (r: PatternRule): CheckOp {
  const decide = (received: Buffer, lastRead: boolean): ExpectDecision => {
    if (!lastRead && r.minRecv > 0 && received.length < r.minRecv) return 'wait'
    const subject = r.binary === true ? received.toString('hex').toUpperCase() : received.toString('latin1')
    const found = r.pattern.test(subject)
    if (!found && !lastRead && r.minRecv === -1) return 'wait'
    if (found !== (r.inverse === true)) {
      if (r.last !== true) return 'next'
      return { status: r.okStatus ?? 'L7OK', info: r.onSuccess?.(received) ?? '', code: r.code?.(received) ?? 0 }
    }
    return { status: r.errorStatus, info: r.onError?.(received) ?? '', code: r.code?.(received) ?? 0 }
  }
  return { op: 'expect', step: r.step, note: '', comment: null, successInfo: '', decide }
}
