import { md5Crypt } from './md5-crypt.ts'
import { shaCrypt } from './sha-crypt.ts'
import { sameText } from './crypt-text.ts'

/** crypt(3) for the schemes pocketlb computes itself: $1$ (MD5), $5$
 *  (SHA-256), $6$ (SHA-512). Others (bcrypt $2b$, yescrypt $y$, DES) would
 *  need native code: cryptSupported() says so at config time. */

const SCHEMES = /^\$(1|5|6)\$/

export function cryptSupported (hash: string): boolean { return SCHEMES.test(hash) }

/** True when <password> hashes to <hash>. */
export function verifyCrypt (password: Buffer, hash: string): boolean {
  const computed = hash.startsWith('$1$') ? md5Crypt(password, hash) : shaCrypt(password, hash)
  return computed !== null && sameText(computed, hash)
}
