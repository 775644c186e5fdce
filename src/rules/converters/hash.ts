import type { ConvDef, Sample } from '../sample.ts'

/** HAProxy's hash functions (src/hash.c) over the bytes of a latin1 string,
 *  as 32-bit unsigned integers. Exported for balance/ (hash-type ... <fn>). */
export function sdbm (s: string): number {
  let h = 0
  for (let i = 0; i < s.length; i++) h = ((s.charCodeAt(i) & 255) + (h << 6) + (h << 16) - h) >>> 0
  return h
}

export function djb2 (s: string): number {
  let h = 5381
  for (let i = 0; i < s.length; i++) h = (((h << 5) + h) + (s.charCodeAt(i) & 255)) >>> 0
  return h
}

export function wt6 (s: string): number {
  let h0 = 0xa53c965a
  let h1 = 0x5ca6953a
  let step0 = 6
  let step1 = 18
  for (let i = 0; i < s.length; i++) {
    let t = s.charCodeAt(i) & 255
    h0 = ~(h0 ^ t) >>> 0
    h1 = ~(h1 + t) >>> 0
    // WHY: a rotation by 0 must leave the value unchanged; JS masks shift counts like x86 does
    t = ((h1 << step0) | (h1 >>> (32 - step0))) >>> 0
    h1 = ((h0 << step1) | (h0 >>> (32 - step1))) >>> 0
    h0 = t
    t = ((h0 >>> 16) ^ h1) & 0xffff
    step0 = t & 0x1f
    step1 = t >>> 11
  }
  return (h0 ^ h1) >>> 0
}

const CRC_TABLE = (() => {
  const t = new Uint32Array(256)
  for (let n = 0; n < 256; n++) {
    let c = n
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1
    t[n] = c >>> 0
  }
  return t
})()

/** CRC-32 (IEEE 802.3 polynomial, as zlib) */
export function crc32 (s: string): number {
  let c = 0xffffffff
  for (let i = 0; i < s.length; i++) c = CRC_TABLE[(c ^ s.charCodeAt(i)) & 255] ^ (c >>> 8)
  return (c ^ 0xffffffff) >>> 0
}

/** Bob Jenkins' integer avalanche as HAProxy's full_hash applies it */
export function avalanche (a: number): number {
  a = ((a + 0x7ed55d16) + (a << 12)) >>> 0
  a = ((a ^ 0xc761c23c) ^ (a >>> 19)) >>> 0
  a = ((a + 0x165667b1) + (a << 5)) >>> 0
  a = ((a + 0xd3a2646c) ^ (a << 9)) >>> 0
  a = ((a + 0xfd7046c5) + (a << 3)) >>> 0
  a = ((a ^ 0xb55a4f09) ^ (a >>> 16)) >>> 0
  // then spread over the 32-bit space by a prime close to 3/4 of it
  return Math.imul(a, 3221225473) >>> 0
}

const hashConv = (fn: (s: string) => number): ConvDef => ({
  args: [{ kind: 'int', optional: true }], in: 'bin', out: 'int',
  compile: (args) => args[0] !== undefined && Number(args[0]) !== 0
    ? (v: Sample) => avalanche(fn(v as string))
    : (v: Sample) => fn(v as string)
})

export const HASH_CONVERTERS: Readonly<Record<string, ConvDef>> = {
  sdbm: hashConv(sdbm),
  djb2: hashConv(djb2),
  wt6: hashConv(wt6),
  crc32: hashConv(crc32)
}
