import type { CheckPlan, CheckStep } from '../../config/plan.ts'
import type { Probe } from '../types.ts'
import { runProgram, type CheckOp, type CheckProgram } from '../engine.ts'
import { compileExpect, type ExpectStep } from './expect.ts'

/** `option tcp-check` with `tcp-check connect|send|send-binary|expect` steps. */

function expectOp (step: ExpectStep, stepNo: number): CheckOp {
  const e = compileExpect(step)
  const comment = step.comment !== null ? ` comment: ${step.comment}` : ''
  return {
    op: 'expect',
    step: stepNo,
    note: e.stepNote + (step.comment !== null ? ` comment: '${step.comment}'` : ''),
    comment: step.comment,
    successInfo: '(tcp-check)',
    decide (received, lastRead) {
      if (!lastRead && received.length < e.minLength) return 'wait'
      const matched = e.matches(received)
      if (!matched && !lastRead) return 'wait'
      if (matched !== e.negate) return 'next'
      const what = matched ? 'TCPCHK matched unwanted content' : 'TCPCHK did not match content'
      return { status: 'L7RSP', info: `${what}${e.describe} at step ${stepNo}${comment}`, code: 0 }
    }
  }
}

/** Compiles <steps> once; throws on steps a tcp-check cannot run (http ones, send-lf). */
export function compileTcpCheck (steps: readonly CheckStep[]): CheckProgram {
  const ops: CheckOp[] = []
  steps.forEach((step, index) => {
    const stepNo = index + 1
    switch (step.t) {
      case 'connect':
        if (step.ssl) throw new Error('tcp-check connect ssl is not supported')
        ops.push({ op: 'connect', port: step.port, step: stepNo })
        break
      case 'send':
        ops.push({ op: 'send', data: step.data, step: stepNo })
        break
      case 'expect':
        ops.push(expectOp(step, stepNo))
        break
      case 'comment':
        break
      default:
        throw new Error(`tcp-check cannot run a "${step.t}" step`)
    }
  })
  return { ops, namesSteps: true }
}

const compiled = new WeakMap<CheckPlan, CheckProgram>()

export const tcpCheckProbe: Probe = {
  run (target, plan, signal) {
    let program = compiled.get(plan)
    if (program === undefined) {
      program = compileTcpCheck(plan.steps)
      compiled.set(plan, program)
    }
    return runProgram(program, target, signal)
  }
}
