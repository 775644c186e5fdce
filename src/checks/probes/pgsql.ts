import type { Probe } from '../types.ts'
import { runProgram, type CheckProgram } from '../engine.ts'
import { patternExpect } from './pattern-expect.ts'

/** `option pgsql-check user <u>`, as HAProxy's built-in ruleset: a protocol
 *  3.0 startup message for <u>; an ErrorResponse ('E') is L7RSP with its first
 *  field as info, an authentication request of a known kind is L7OK. */
function startupMessage (user: string): Buffer {
  const body = Buffer.concat([Buffer.from([0, 3, 0, 0]), Buffer.from(`user\0${user}\0\0`, 'latin1')])
  const len = Buffer.alloc(4)
  len.writeUInt32BE(body.length + 4)
  return Buffer.concat([len, body])
}

/** The error's first field text (res.payload(6,0) read as a C string). */
function errorField (b: Buffer): string {
  const end = b.indexOf(0, 6)
  return b.toString('latin1', Math.min(6, b.length), end < 0 ? b.length : end)
}

function program (user: string): CheckProgram {
  return {
    namesSteps: false,
    ops: [
      { op: 'send', data: startupMessage(user), step: 2 },
      patternExpect({ step: 3, pattern: /^E/, inverse: true, minRecv: 5, errorStatus: 'L7RSP', onError: errorField }),
      patternExpect({
        step: 4,
        pattern: /^52000000[A-Z0-9]{2}000000(00|02|03|04|05|06|07|09|0A)/,
        binary: true,
        minRecv: 9,
        errorStatus: 'L7STS',
        onError: () => 'PostgreSQL unknown error',
        onSuccess: () => 'PostgreSQL server is ok',
        last: true
      })
    ]
  }
}

export const pgsqlProbe: Probe = {
  run (target, plan, signal) { return runProgram(program(plan.protocolArg ?? ''), target, signal) }
}
