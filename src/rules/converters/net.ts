import type { ConvDef, Sample } from '../sample.ts'
import { RulesError } from '../types.ts'
import { parseIp, maskAddr, formatIp, dottedMaskBits } from '../ip.ts'

/** ipmask(<v4mask>[,<v6mask>]): keeps the network part of an address. */
function maskBits (text: string, max: number): number {
  const bits = /^\d+$/.test(text) ? Number(text) : max === 32 ? dottedMaskBits(text) : -1
  if (bits < 0 || bits > max) throw new RulesError(`invalid mask '${text}'`)
  return bits
}

export const NET_CONVERTERS: Readonly<Record<string, ConvDef>> = {
  ipmask: {
    args: [{ kind: 'str' }, { kind: 'str', optional: true }], in: 'ip', out: 'ip',
    compile: (args) => {
      const v4 = maskBits(args[0], 32)
      const v6 = args[1] === undefined ? -1 : maskBits(args[1], 128)
      return (v: Sample) => {
        const a = parseIp(v as string)
        if (a === null || (a.v6 && v6 < 0)) return undefined
        return formatIp(maskAddr(a, a.v6 ? v6 : v4))
      }
    }
  }
}
