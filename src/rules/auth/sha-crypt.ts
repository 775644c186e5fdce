import { createHash } from 'node:crypto'
import { cryptRounds, encode24 } from './crypt-text.ts'

/** SHA-256-crypt ($5$) and SHA-512-crypt ($6$), written from Ulrich
 *  Drepper's published specification "Unix crypt using SHA-256 and SHA-512":
 *  `$<id>$[rounds=<n>$]<salt>$<43 or 86 characters>`. */

const ROUNDS_DEFAULT = 5000
const ROUNDS_MIN = 1000
const ROUNDS_MAX = 999_999_999
const SALT_MAX = 16

interface Scheme { readonly id: string; readonly algo: 'sha256' | 'sha512'; readonly size: number }
const SHA256: Scheme = { id: '5', algo: 'sha256', size: 32 }
const SHA512: Scheme = { id: '6', algo: 'sha512', size: 64 }

/** Digest size <size> repeated from <block> up to <len> bytes. */
function stretch (block: Buffer, len: number): Buffer {
  const out = Buffer.alloc(len)
  for (let i = 0; i < len; i += block.length) block.copy(out, i, 0, Math.min(block.length, len - i))
  return out
}

/** The spec's order of digest bytes in the text: triplets whose first byte
 *  steps by (size/3 + 1) modulo size - 1, the others following at size/3 and
 *  2·size/3; the last bytes are encoded apart. */
function encodeDigest (d: Buffer, s: Scheme): string {
  let out = ''
  if (s.size === 64) {
    for (let k = 0; k < 21; k++) {
      const a = (k * 22) % 63
      out += encode24(d[a], d[(a + 21) % 63], d[(a + 42) % 63], 4)
    }
    return out + encode24(0, 0, d[63], 2)
  }
  for (let k = 0; k < 10; k++) {
    const a = (k * 21) % 30
    out += encode24(d[a], d[(a + 10) % 30], d[(a + 20) % 30], 4)
  }
  return out + encode24(0, d[31], d[30], 3)
}

/** The full hash text of <password> under <setting> (an existing hash or
 *  just its `$5$salt` / `$6$rounds=n$salt` head); null when <setting> is not
 *  a SHA-crypt setting. */
export function shaCrypt (password: Buffer, setting: string): string | null {
  const m = /^\$([56])\$(?:rounds=(\d+)\$)?([^$]*)/.exec(setting)
  if (m === null) return null
  const s = m[1] === '5' ? SHA256 : SHA512
  const custom = m[2] !== undefined
  const rounds = custom ? Math.min(ROUNDS_MAX, Math.max(ROUNDS_MIN, Number(m[2]))) : ROUNDS_DEFAULT
  const salt = Buffer.from(m[3].slice(0, SALT_MAX), 'latin1')
  const h = () => createHash(s.algo)
  const pLen = password.length

  const b = h().update(password).update(salt).update(password).digest()
  const ha = h().update(password).update(salt)
  ha.update(stretch(b, pLen))
  for (let n = pLen; n > 0; n >>= 1) ha.update((n & 1) !== 0 ? b : password)
  const a = ha.digest()

  const dp = h()
  for (let i = 0; i < pLen; i++) dp.update(password)
  const pSeq = stretch(dp.digest(), pLen)
  const ds = h()
  for (let i = 0; i < 16 + a[0]; i++) ds.update(salt)
  const sSeq = stretch(ds.digest(), salt.length)

  const c = cryptRounds(s.algo, rounds, a, pSeq, sSeq)
  return `$${s.id}$${custom ? `rounds=${rounds}$` : ''}${salt.toString('latin1')}$${encodeDigest(c, s)}`
}
