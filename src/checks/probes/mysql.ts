import type { Probe } from '../types.ts'
import { runProgram, type CheckProgram, type ExpectDecision } from '../engine.ts'

/** `option mysql-check` without `user`: the server's initial handshake packet is
 *  read and judged (HAProxy tcpcheck_mysql_expect_iniths). An error packet (0xff)
 *  is L7STS with the MySQL error number as code; a handshake is L7OK with the
 *  server version as info. */
function judgeHandshake (b: Buffer, lastRead: boolean): ExpectDecision {
  if (b.length < 4 || b.length < 4 + b.readUIntLE(0, 3)) {
    return lastRead ? { status: 'L7RSP', info: '', code: 0 } : 'wait'
  }
  if (b[4] === 0xff) {
    return { status: 'L7STS', info: b.subarray(7).toString('latin1'), code: b.readUInt16LE(5) }
  }
  const versionEnd = b.indexOf(0, 5)
  return { status: 'L7OK', info: b.subarray(5, versionEnd < 0 ? b.length : versionEnd).toString('latin1'), code: 0 }
}

const program: CheckProgram = {
  namesSteps: false,
  ops: [{ op: 'expect', step: 1, note: '', comment: null, successInfo: '', decide: judgeHandshake }]
}

export const mysqlProbe: Probe = {
  run (target, _plan, signal) { return runProgram(program, target, signal) }
}
