import type { ConvDef, ConvFn, Sample } from '../sample.ts'
import { leadingInt } from '../sample.ts'
import { RulesError } from '../types.ts'
import { checkVarName } from '../vars.ts'

/** Integer and boolean converters (HAProxy sample.c). Operands are an integer
 *  or a variable name (`add(txn.count)`), resolved per request. */
const INT_MAX = 9223372036854775807

function operand (arg: string): (s: Parameters<ConvFn>[1]) => number {
  if (/^[-+]?\d+$/.test(arg)) { const n = leadingInt(arg); return () => n }
  const name = checkVarName(arg)
  return (s) => {
    const v = s.vars.get(name)
    return typeof v === 'number' ? v : typeof v === 'boolean' ? (v ? 1 : 0) : v === undefined ? 0 : leadingInt(v)
  }
}

const binary = (op: (a: number, b: number) => number): ConvDef => ({
  args: [{ kind: 'str' }], in: 'int', out: 'int',
  compile: (args) => {
    if (args[0] === '') throw new RulesError('missing operand')
    const rhs = operand(args[0])
    return (v: Sample, s) => op(v as number, rhs(s))
  }
})

const unary = (out: 'int' | 'bool', op: (a: number) => Sample): ConvDef => ({
  args: [], in: 'int', out, compile: () => (v: Sample) => op(v as number)
})

/** 64-bit two's complement bit operation, as HAProxy's long long */
const bits = (op: (a: bigint, b: bigint) => bigint) => (a: number, b: number) =>
  Number(BigInt.asIntN(64, op(BigInt(Math.trunc(a)), BigInt(Math.trunc(b)))))

export const ARITH_CONVERTERS: Readonly<Record<string, ConvDef>> = {
  add: binary((a, b) => a + b),
  sub: binary((a, b) => a - b),
  mul: binary((a, b) => a * b),
  div: binary((a, b) => b === 0 ? INT_MAX : Math.trunc(a / b)),
  mod: binary((a, b) => b === 0 ? 0 : a % b),
  and: binary(bits((a, b) => a & b)),
  or: binary(bits((a, b) => a | b)),
  xor: binary(bits((a, b) => a ^ b)),
  neg: unary('int', a => -a),
  cpl: unary('int', a => Number(BigInt.asIntN(64, ~BigInt(Math.trunc(a))))),
  bool: unary('bool', a => a !== 0),
  not: unary('bool', a => a === 0),
  odd: unary('bool', a => (a & 1) === 1),
  even: unary('bool', a => (a & 1) === 0)
}
