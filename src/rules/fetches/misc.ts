import type { FetchDef, Sample } from '../sample.ts'
import { leadingInt } from '../sample.ts'
import { RulesError } from '../types.ts'
import { parseIp } from '../ip.ts'
import { USE_ANY } from './use.ts'

/** Constants, environment, time, randomness and variables (HAProxy sample.c). */
const constant = (out: FetchDef['out'], parse: (arg: string) => Sample): FetchDef => ({
  args: [{ kind: 'str' }], out, use: USE_ANY,
  compile: (args) => { const v = parse(args[0]); return () => v }
})

const ipConst = (v6: boolean) => (arg: string): Sample => {
  const a = parseIp(arg)
  if (a === null || a.v6 !== v6) throw new RulesError(`'${arg}' is not a valid ${v6 ? 'IPv6' : 'IPv4'} address`)
  return arg
}

const UNIT_DIV: Readonly<Record<string, number>> = { s: 1000, ms: 1, us: 0.001 }

export const MISC_FETCHES: Readonly<Record<string, FetchDef>> = {
  always_true: { args: [], out: 'bool', use: USE_ANY, compile: () => () => true },
  always_false: { args: [], out: 'bool', use: USE_ANY, compile: () => () => false },
  str: constant('str', a => a),
  int: constant('int', a => leadingInt(a)),
  bool: constant('bool', a => leadingInt(a) !== 0),
  ipv4: constant('ip', ipConst(false)),
  ipv6: constant('ip', ipConst(true)),
  // WHY: read once at config time, as the environment of a running proxy does not change
  env: { args: [{ kind: 'str' }], out: 'str', use: USE_ANY, compile: (args) => { const v = process.env[args[0]]; return () => v } },
  date: {
    args: [{ kind: 'int', optional: true }, { kind: 'str', optional: true }], out: 'int', use: USE_ANY,
    compile: (args) => {
      const div = UNIT_DIV[args[1] ?? 's']
      if (div === undefined) throw new RulesError(`invalid unit '${args[1]}' for date, expects s, ms or us`)
      const offset = leadingInt(args[0] ?? '0')
      return () => Math.floor(Date.now() / div) + offset
    }
  },
  rand: {
    args: [{ kind: 'int', optional: true }], out: 'int', use: USE_ANY,
    compile: (args) => {
      const range = args[0] === undefined ? 0x100000000 : leadingInt(args[0])
      return () => Math.floor(Math.random() * range)
    }
  },
  var: {
    args: [{ kind: 'var' }, { kind: 'str', optional: true }], out: 'any', use: USE_ANY,
    compile: (args) => {
      const name = args[0]
      const dflt = args[1]
      return s => s.vars.get(name) ?? dflt
    }
  }
}
