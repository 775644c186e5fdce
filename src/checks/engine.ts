import type { CheckStatusCode, ProbeResult, ProbeTarget } from './types.ts'
import { CheckSession } from './probes/session.ts'

/** Interpreter of compiled tcp-check programs (HAProxy tcpcheck_main): redis,
 *  mysql and `option tcp-check` all run here as lists of connect/send/expect ops. */

/** What an expect op decides on the bytes received since the last send. */
export type ExpectDecision =
  | 'wait'
  | 'next'
  | { readonly status: CheckStatusCode; readonly info: string; readonly code: number }

export type CheckOp =
  | { readonly op: 'connect'; readonly port: number; readonly step: number }
  | { readonly op: 'send'; readonly data: Buffer; readonly step: number }
  | {
    readonly op: 'expect'
    readonly step: number
    /** connection-error suffix naming the step: " (expect string '+PONG')" */
    readonly note: string
    readonly comment: string | null
    /** <lastRead>: the peer closed or the buffer is full, nothing more will come */
    decide (received: Buffer, lastRead: boolean): ExpectDecision
    /** info reported when this op is the last one and passed */
    readonly successInfo: string
  }

export interface CheckProgram {
  readonly ops: readonly CheckOp[]
  /** `option tcp-check` written by the user: errors name the step ("at step 2 of
   *  tcp-check"); built-in protocol checks (redis, mysql) do not. */
  readonly namesSteps: boolean
}

const RECEIVE_LIMIT = 16384

/** Runs <program> against <target>. A connect op that is not first, or an implicit
 *  first connect, opens the connection; the bytes received are forgotten at each send. */
export async function runProgram (program: CheckProgram, target: ProbeTarget, signal: AbortSignal): Promise<ProbeResult> {
  const s = new CheckSession(target, signal)
  const ops = program.ops
  const where = (text: string): string => program.namesSteps ? text : ''
  let i = 0
  if (ops[0]?.op !== 'connect') {
    const end = await s.connect()
    if (end !== 'ok') return s.failure(end, where(' at initial connection step of tcp-check'))
  }
  let last: CheckOp | null = null
  for (; i < ops.length; i++) {
    const op = ops[i]!
    last = op
    if (op.op === 'connect') {
      const end = await s.connect(op.port)
      if (end !== 'ok') return s.failure(end, where(` at step ${op.step} of tcp-check (connect${op.port ? ` port ${op.port}` : ''})`))
    } else if (op.op === 'send') {
      s.received = Buffer.alloc(0)
      s.send(op.data)
    } else {
      for (;;) {
        const lastRead = s.ended || s.errorCode !== null || s.received.length >= RECEIVE_LIMIT
        if (lastRead && s.received.length === 0) {
          if (s.errorCode !== null) return s.failure('error', where(` at step ${op.step} of tcp-check${op.note}`))
          const comment = op.comment !== null ? ` comment: '${op.comment}'` : ''
          return s.result('L7RSP', `TCPCHK got an empty response at step ${op.step}${comment}`)
        }
        const d = op.decide(s.received, lastRead)
        if (d === 'next') break
        if (d !== 'wait') return s.result(d.status, d.info, d.code)
        const end = await s.waitData()
        if (end === 'timeout' || end === 'aborted') return s.failure(end, where(` at step ${op.step} of tcp-check${op.note}`))
      }
    }
  }
  if (last === null) return s.result('L4OK')
  if (last.op === 'expect') return s.result('L7OK', last.successInfo)
  if (last.op === 'connect') return s.result('L4OK', '(tcp-check)')
  return s.result('L7OK', '(tcp-check)')
}
