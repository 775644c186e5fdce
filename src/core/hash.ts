/** The hash functions of `hash-type` (HAProxy's gen_hash family) and the
 *  integer avalanche hash that places consistent-hash ring points.
 *  All functions read the bytes of <s> between <start> and <end> (exclusive)
 *  as Latin-1 code units (one byte per char, as the HTTP parser stores heads)
 *  and return an unsigned 32-bit integer. They allocate nothing. */

export type StringHash = (s: string, start: number, end: number) => number

/** sdbm: h = c + (h << 6) + (h << 16) - h, the HAProxy default. */
export function sdbm (s: string, start: number, end: number): number {
  let h = 0
  for (let i = start; i < end; i++) {
    h = ((s.charCodeAt(i) & 0xff) + (h << 6) + (h << 16) - h) | 0
  }
  return h >>> 0
}

/** djb2: h = h * 33 + c, starting at 5381. */
export function djb2 (s: string, start: number, end: number): number {
  let h = 5381
  for (let i = start; i < end; i++) h = (Math.imul(h, 33) + (s.charCodeAt(i) & 0xff)) | 0
  return h >>> 0
}

/** wt6: Willy Tarreau's two-register hash with data-dependent rotations. */
export function wt6 (s: string, start: number, end: number): number {
  let h0 = 0xa53c965a | 0
  let h1 = 0x5ca6953a | 0
  let step0 = 6
  let step1 = 18
  for (let i = start; i < end; i++) {
    const c = s.charCodeAt(i) & 0xff
    h0 = ~(h0 ^ c)
    h1 = ~((h1 + c) | 0)
    const t = rotl(h1, step0)
    h1 = rotl(h0, step1)
    h0 = t
    const mix = ((h0 >>> 16) ^ h1) & 0xffff
    step0 = mix & 0x1f
    step1 = mix >>> 11
  }
  return (h0 ^ h1) >>> 0
}

/** Rotation as the C code writes it: (x << n) | (x >> (32 - n)); a shift by 32
 *  is undefined in C and masked to 0 by x86, as JS does (n = 0 keeps x). */
function rotl (x: number, n: number): number {
  return n === 0 ? x : (x << n) | (x >>> (32 - n))
}

/** CRC-32 (IEEE 802.3, reflected polynomial 0xedb88320), bitwise. */
export function crc32 (s: string, start: number, end: number): number {
  let h = ~0
  for (let i = start; i < end; i++) {
    h ^= s.charCodeAt(i) & 0xff
    for (let b = 0; b < 8; b++) h = (h >>> 1) ^ ((h & 1) !== 0 ? 0xedb88320 : 0)
  }
  return (~h) >>> 0
}

/** `hash-type ... none` (HAProxy 2.7+): the key is read as a decimal integer
 *  (leading sign allowed) truncated to 32 bits; non-digits end it. */
export function noHash (s: string, start: number, end: number): number {
  let i = start
  let neg = false
  if (i < end && (s.charCodeAt(i) === 45 /* - */ || s.charCodeAt(i) === 43 /* + */)) neg = s.charCodeAt(i++) === 45
  let h = 0
  for (; i < end; i++) {
    const d = s.charCodeAt(i) - 48
    if (d < 0 || d > 9) break
    h = (Math.imul(h, 10) + d) | 0
  }
  return (neg ? -h : h) >>> 0
}

/** Bob Jenkins' 32-bit integer avalanche hash followed by HAProxy's spreading
 *  multiplication by 3221225473 (the `avalanche` modifier, and ring points). */
export function fullHash (x: number): number {
  let a = x | 0
  a = (a + 0x7ed55d16 + (a << 12)) | 0
  a = (a ^ 0xc761c23c) ^ (a >>> 19)
  a = (a + 0x165667b1 + (a << 5)) | 0
  a = ((a + 0xd3a2646c) | 0) ^ (a << 9)
  a = (a + 0xfd7046c5 + (a << 3)) | 0
  a = (a ^ 0xb55a4f09) ^ (a >>> 16)
  return Math.imul(a, 3221225473 | 0) >>> 0
}

/** The hash function chosen by `hash-type <method> <fn>`, resolved at config time. */
export const stringHashes: Record<'sdbm' | 'djb2' | 'wt6' | 'crc32' | 'none', StringHash> = {
  sdbm, djb2, wt6, crc32, none: noHash
}
