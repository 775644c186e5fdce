import type { CheckStep } from '../../config/plan.ts'

export type ExpectStep = Extract<CheckStep, { t: 'expect' }>

/** A compiled tcp-check `expect` (HAProxy tcpcheck_eval_expect). */
export interface CompiledExpect {
  readonly negate: boolean
  /** fewer bytes than this cannot be judged yet (string/binary length) */
  readonly minLength: number
  /** failure text after "TCPCHK did not match content": " '+PONG'", " (regex)" */
  readonly describe: string
  /** position text in connection errors: " (expect string '+PONG')" */
  readonly stepNote: string
  matches (received: Buffer): boolean
}

/** Compiles `expect string|rstring|binary|rbinary <pattern>` once. string/binary
 *  search anywhere in the bytes received since the last send; rbinary runs on
 *  the upper-case hex dump of them, as HAProxy's dump_binary(). */
export function compileExpect (step: ExpectStep): CompiledExpect {
  switch (step.what) {
    case 'string':
    case 'binary': {
      const binary = step.what === 'binary'
      const needle = binary ? Buffer.from(step.pattern, 'hex') : Buffer.from(step.pattern, 'latin1')
      return {
        negate: step.negate,
        minLength: needle.length,
        describe: binary ? ' (binary)' : ` '${step.pattern}'`,
        stepNote: ` (expect ${binary ? 'binary' : 'string'} '${step.pattern}')`,
        matches: (b) => b.indexOf(needle) >= 0
      }
    }
    case 'rstring':
    case 'rbinary': {
      const binary = step.what === 'rbinary'
      const re = new RegExp(step.pattern)
      return {
        negate: step.negate,
        minLength: 0,
        describe: binary ? ' (binary regex)' : ' (regex)',
        stepNote: binary ? ' (expect binary regex)' : ' (expect regex)',
        matches: (b) => re.test(binary ? b.toString('hex').toUpperCase() : b.toString('latin1'))
      }
    }
    default:
      throw new Error(`"expect ${step.what}" belongs to http-check, not tcp-check`)
  }
}
