import type { Probe } from '../types.ts'
import { runProgram, type CheckProgram, type ExpectDecision } from '../engine.ts'
import { patternExpect } from './pattern-expect.ts'

/** `option ldap-check`, as HAProxy's built-in ruleset: an anonymous LDAPv3
 *  simple bind (message 1), then the BindResponse is read (rfc4511 §4.2.2):
 *  resultCode 0 is L7OK, another code L7STS with that code. */
const BIND_REQUEST = Buffer.from('300C020101600702010304008000', 'hex')
const NOT_LDAP = { status: 'L7RSP', info: 'Not LDAPv3 protocol', code: 0 } as const

/** Reads a BER length at <at>: [value, bytes used], or null when it needs more bytes. */
function berLength (b: Buffer, at: number): [number, number] | 'bad' | null {
  const first = b[at]
  if (first === undefined) return null
  if ((first & 0x80) === 0) return [first, 1]
  const n = first & 0x7f
  if (n !== 2 && n !== 4) return 'bad'
  if (b.length < at + 1 + n) return null
  return [n === 2 ? b.readUInt16BE(at + 1) : b.readUInt32BE(at + 1), 1 + n]
}

function judgeBindResponse (b: Buffer, lastRead: boolean): ExpectDecision {
  const short: ExpectDecision = lastRead ? { status: 'L7RSP', info: '', code: 0 } : 'wait'
  const len = berLength(b, 1)
  if (len === 'bad') return NOT_LDAP
  if (len === null) return short
  let at = 1 + len[1]
  if (b.length - at < len[0]) return short
  // messageID INTEGER 1, then protocolOp bindResponse [APPLICATION 1]
  if (b.compare(Buffer.from([0x02, 0x01, 0x01, 0x61]), 0, 4, at, at + 4) !== 0) return NOT_LDAP
  at += 4
  const opLenBytes = (b[at]! & 0x80) !== 0 ? b[at]! & 0x7f : 0
  if (b.length - at < 1 + opLenBytes + 2 + 1) return short
  at += 1 + opLenBytes
  // ldapResult: resultCode ENUMERATED
  if (b[at] !== 0x0a || b[at + 1] !== 0x01) return NOT_LDAP
  const code = b[at + 2]!
  if (code !== 0) return { status: 'L7STS', info: 'See RFC: http://tools.ietf.org/html/rfc4511#section-4.1.9', code }
  // HAProxy 2.6 reports no text for a successful bind (later versions say "Success")
  return { status: 'L7OK', info: '', code: 0 }
}

const program: CheckProgram = {
  namesSteps: false,
  ops: [
    { op: 'send', data: BIND_REQUEST, step: 2 },
    patternExpect({ step: 3, pattern: /^30/, binary: true, minRecv: 14, errorStatus: 'L7RSP', onError: () => 'Not LDAPv3 protocol' }),
    { op: 'expect', step: 4, note: '', comment: null, successInfo: '', decide: judgeBindResponse }
  ]
}

export const ldapProbe: Probe = {
  run (target, _plan, signal) { return runProgram(program, target, signal) }
}
