import type { Probe } from '../types.ts'
import { runProgram, type CheckProgram } from '../engine.ts'

/** `option redis-check`: PING must be answered by "+PONG\r\n" (HAProxy's built-in
 *  ruleset: error status L7STS with the first line of the answer as info, success
 *  info "Redis server is ok"). */
const PONG = Buffer.from('+PONG\r\n')

/** First line of <b> (HAProxy res.payload(0,0),cut_crlf) */
function firstLine (b: Buffer): string {
  const text = b.toString('latin1')
  const cut = text.search(/[\r\n]/)
  return cut < 0 ? text : text.slice(0, cut)
}

const program: CheckProgram = {
  namesSteps: false,
  ops: [
    { op: 'send', data: Buffer.from('*1\r\n$4\r\nPING\r\n'), step: 1 },
    {
      op: 'expect',
      step: 2,
      note: '',
      comment: null,
      successInfo: 'Redis server is ok',
      decide (received, lastRead) {
        if (!lastRead && received.length < PONG.length) return 'wait'
        if (received.indexOf(PONG) >= 0) return 'next'
        if (!lastRead) return 'wait'
        return { status: 'L7STS', info: firstLine(received), code: 0 }
      }
    }
  ]
}

export const redisProbe: Probe = {
  run (target, _plan, signal) { return runProgram(program, target, signal) }
}
