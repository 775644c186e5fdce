import { hash } from 'node:crypto'

/** The "crypt base64" of the Unix crypt family ($1$, $5$, $6$): 6 bits per
 *  character, least significant first, over byte triplets the scheme picks. */
const ALPHABET = './0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz'

/** Appends to <out> the <chars> characters of the 24-bit value b2 b1 b0. */
export function encode24 (b2: number, b1: number, b0: number, chars: number): string {
  let w = (b2 << 16) | (b1 << 8) | b0
  let out = ''
  for (let i = 0; i < chars; i++) { out += ALPHABET[w & 0x3f]; w >>>= 6 }
  return out
}

/** Equal-time comparison of two hash texts (both ASCII). */
export function sameText (a: string, b: string): boolean {
  if (a.length !== b.length) return false
  let diff = 0
  for (let i = 0; i < a.length; i++) diff |= a.charCodeAt(i) ^ b.charCodeAt(i)
  return diff === 0
}

/** The rounds MD5-crypt and SHA-crypt share: each round digests, in an order
 *  set by the round number, the previous digest <c>, the salt (unless the
 *  number divides by 3) and the password (unless it divides by 7).
 *  PERF: thousands of rounds per check: one input buffer reused, one-shot digests. */
export function cryptRounds (algo: string, rounds: number, c: Buffer, password: Buffer, salt: Buffer): Buffer {
  const input = Buffer.allocUnsafe(c.length + salt.length + 2 * password.length)
  for (let r = 0; r < rounds; r++) {
    const odd = (r & 1) !== 0
    let n = (odd ? password : c).copy(input, 0)
    if (r % 3 !== 0) n += salt.copy(input, n)
    if (r % 7 !== 0) n += password.copy(input, n)
    n += (odd ? c : password).copy(input, n)
    c = hash(algo, input.subarray(0, n), 'buffer')
  }
  return c
}
