import type { ConvDef, Sample } from '../sample.ts'
import { leadingInt } from '../sample.ts'

/** Binary/encoding converters (HAProxy sample.c). Binary samples are latin1 strings. */
const bin = (out: 'str' | 'bin', fn: (v: string) => string | undefined): ConvDef => ({
  args: [], in: 'bin', out, compile: () => (v: Sample) => fn(v as string)
})

export const ENCODE_CONVERTERS: Readonly<Record<string, ConvDef>> = {
  base64: bin('str', v => Buffer.from(v, 'latin1').toString('base64')),
  b64dec: bin('bin', v => /^[A-Za-z0-9+/]*={0,2}$/.test(v) && v.length % 4 === 0 ? Buffer.from(v, 'base64').toString('latin1') : undefined),
  hex: bin('str', v => Buffer.from(v, 'latin1').toString('hex').toUpperCase()),
  bytes: {
    args: [{ kind: 'int' }, { kind: 'int', optional: true }], in: 'bin', out: 'bin',
    compile: (args) => {
      const offset = leadingInt(args[0])
      const length = args[1] === undefined ? -1 : leadingInt(args[1])
      return (v: Sample) => {
        const str = v as string
        if (offset >= str.length) return undefined
        return length < 0 ? str.slice(offset) : str.slice(offset, offset + length)
      }
    }
  }
}
