import type { ConvDef, Sample } from '../sample.ts'
import { sdbm, djb2, wt6, crc32, fullHash, type StringHash } from '../../core/hash.ts'

/** HAProxy's hash converters (`sdbm([<avalanche>])`, ...) over the sample's
 *  bytes; the hash functions themselves are core/hash.ts, shared with balance/. */
const whole = (fn: StringHash) => (s: string): number => fn(s, 0, s.length)
const hashConv = (fn: (s: string) => number): ConvDef => ({
  args: [{ kind: 'int', optional: true }], in: 'bin', out: 'int',
  compile: (args) => args[0] !== undefined && Number(args[0]) !== 0
    ? (v: Sample) => fullHash(fn(v as string))
    : (v: Sample) => fn(v as string)
})

export const HASH_CONVERTERS: Readonly<Record<string, ConvDef>> = {
  sdbm: hashConv(whole(sdbm)),
  djb2: hashConv(whole(djb2)),
  wt6: hashConv(whole(wt6)),
  crc32: hashConv(whole(crc32))
}
