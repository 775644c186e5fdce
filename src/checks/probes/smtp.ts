import type { Probe } from '../types.ts'
import { runProgram, type CheckProgram } from '../engine.ts'
import { patternExpect, payloadLine, replyCode } from './pattern-expect.ts'

/** `option smtpchk [EHLO|HELO <domain>]`, as HAProxy's built-in ruleset: the
 *  greeting must be a reply line (else L7RSP with the line) and a 2xx (else
 *  L7STS with its code and text), then the HELO/EHLO answer, then QUIT's; the
 *  last reply's code and text are the check's result. */
const afterCode = (b: Buffer): string => payloadLine(b, 4)

function program (greeting: string): CheckProgram {
  return {
    namesSteps: false,
    ops: [
      patternExpect({ step: 2, pattern: /^[0-9]{3}[ \r]/, minRecv: 4, errorStatus: 'L7RSP', onError: b => payloadLine(b, 0) }),
      patternExpect({ step: 3, pattern: /^2[0-9]{2}[ \r]/, minRecv: 4, errorStatus: 'L7STS', onError: afterCode, code: replyCode }),
      { op: 'send', data: Buffer.from(greeting + '\r\n', 'latin1'), step: 4 },
      patternExpect({ step: 5, pattern: /^(2[0-9]{2}-[^\r]*\r\n)*2[0-9]{2}[ \r]/, minRecv: -1, errorStatus: 'L7STS', onError: afterCode, code: replyCode }),
      { op: 'send', data: Buffer.from('QUIT\r\n'), step: 6 },
      patternExpect({ step: 7, pattern: /^2[0-9]{2}[- \r]/, minRecv: 4, errorStatus: 'L7STS', onError: afterCode, onSuccess: afterCode, code: replyCode, last: true })
    ]
  }
}

export const smtpProbe: Probe = {
  run (target, plan, signal) { return runProgram(program(plan.protocolArg || 'HELO localhost'), target, signal) }
}
