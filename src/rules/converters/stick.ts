import type { ConvDef, Sample } from '../sample.ts'
import { TABLE_METRICS } from '../stick/metrics.ts'
import { tableArg } from '../stick/resolve.ts'
import { toKey } from '../stick/keys.ts'

/** table_<m>(<table>): looks the input sample up as a key of <table>;
 *  an absent key reads as 0, data the table does not store gives no sample. */
function family (): Record<string, ConvDef> {
  const out: Record<string, ConvDef> = {}
  for (const [name, m] of Object.entries(TABLE_METRICS)) {
    out['table_' + name] = {
      args: [{ kind: 'str' }], in: 'str', out: 'int',
      compile: (args, cc) => {
        const t = tableArg(cc, args[0], 'table_' + name)
        return (v: Sample) => {
          const key = toKey(t.spec.type, t.spec.keyLen, v)
          if (key === undefined) return undefined
          const e = t.lookup(key)
          return e === undefined ? 0 : m(t, e)
        }
      }
    }
  }
  out.in_table = {
    args: [{ kind: 'str' }], in: 'str', out: 'bool',
    compile: (args, cc) => {
      const t = tableArg(cc, args[0], 'in_table')
      return (v: Sample) => { const key = toKey(t.spec.type, t.spec.keyLen, v); return key !== undefined && t.lookup(key) !== undefined }
    }
  }
  return out
}

export const STICK_CONVERTERS: Readonly<Record<string, ConvDef>> = family()
