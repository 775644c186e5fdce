import { createHash } from 'node:crypto'
import { cryptRounds, encode24 } from './crypt-text.ts'

/** MD5-crypt ($1$, Poul-Henning Kamp's FreeBSD scheme as published):
 *  `$1$<salt up to 8>$<22 characters>`, 1000 rounds of MD5. */
const MAGIC = '$1$'
const SALT_MAX = 8
const ROUNDS = 1000

/** The hash text of <password> under <setting>; null when it is not `$1$…`. */
export function md5Crypt (password: Buffer, setting: string): string | null {
  if (!setting.startsWith(MAGIC)) return null
  const rest = setting.slice(MAGIC.length)
  const end = rest.indexOf('$')
  const saltText = (end < 0 ? rest : rest.slice(0, end)).slice(0, SALT_MAX)
  const salt = Buffer.from(saltText, 'latin1')
  const md5 = () => createHash('md5')

  const alt = md5().update(password).update(salt).update(password).digest()
  const ctx = md5().update(password).update(MAGIC).update(salt)
  for (let n = password.length; n > 0; n -= 16) ctx.update(alt.subarray(0, Math.min(16, n)))
  const zero = Buffer.alloc(1)
  const first = password.subarray(0, 1)
  for (let n = password.length; n > 0; n >>= 1) ctx.update((n & 1) !== 0 ? zero : first)
  const f = cryptRounds('md5', ROUNDS, ctx.digest(), password, salt)
  const text = encode24(f[0], f[6], f[12], 4) + encode24(f[1], f[7], f[13], 4) + encode24(f[2], f[8], f[14], 4) +
    encode24(f[3], f[9], f[15], 4) + encode24(f[4], f[10], f[5], 4) + encode24(0, 0, f[11], 2)
  return MAGIC + saltText + '$' + text
}
