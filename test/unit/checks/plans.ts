import type { CheckPlan, CheckStep } from '../../../src/config/plan.ts'
import type { ProbeTarget } from '../../../src/checks/types.ts'

export function checkPlan (kind: CheckPlan['kind'], steps: CheckStep[] = [], http: Partial<CheckPlan> = {}): CheckPlan {
  return { kind, httpMethod: '', httpUri: '', httpVersion: '', httpExtra: '', steps, logHealthChecks: false, ...http }
}

export const expect = (what: Extract<CheckStep, { t: 'expect' }>['what'], pattern: string, negate = false): CheckStep =>
  ({ t: 'expect', negate, what, pattern, min: false, comment: null })

export const send = (text: string): CheckStep => ({ t: 'send', data: Buffer.from(text, 'latin1') })

export const target = (port: number, connectMs = 1000, exchangeMs: number | null = null): ProbeTarget =>
  ({ host: '127.0.0.1', port, connectMs, exchangeMs })
