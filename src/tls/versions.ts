import type { TlsVersionName } from '../config/plan.ts'
import { TLS_VERSION_NAMES } from './contexts.ts'

/** Protocol version words shared by `bind` and `server` lines:
 *  ssl-min-ver, ssl-max-ver and the older no-X and force-X forms, folded onto a
 *  [min, max] range as HAProxy does. */
export interface VersionRange { min: TlsVersionName | null; max: TlsVersionName | null }

const FLAG_VERSION: Readonly<Record<string, TlsVersionName>> = {
  sslv3: 'SSLv3', tlsv10: 'TLSv1.0', tlsv11: 'TLSv1.1', tlsv12: 'TLSv1.2', tlsv13: 'TLSv1.3'
}

const rank = (v: TlsVersionName): number => TLS_VERSION_NAMES.indexOf(v)

/** Applies <word> (with <arg>) to <r>: true when it was a version word,
 *  an error text when its argument is bad, false when it is another word. */
export function applyVersionWord (r: VersionRange, word: string, arg: string | undefined): boolean | string {
  if (word === 'ssl-min-ver' || word === 'ssl-max-ver') {
    const v = TLS_VERSION_NAMES.find(n => n === arg)
    if (v === undefined) return `'${word}' : unknown value '${arg ?? ''}', expects 'SSLv3', 'TLSv1.0', 'TLSv1.1', 'TLSv1.2' or 'TLSv1.3'.`
    if (word === 'ssl-min-ver') r.min = v
    else r.max = v
    return true
  }
  const m = /^(no|force)-(sslv3|tlsv1[0-3])$/.exec(word)
  if (m === null) return false
  const v = FLAG_VERSION[m[2] as string] as TlsVersionName
  if (m[1] === 'force') { r.min = v; r.max = v; return true }
  // no-X: the range keeps the side away from X (no-tlsv13 lowers the maximum, the others raise the minimum)
  if (v === 'TLSv1.3') r.max = 'TLSv1.2'
  else if (r.min === null || rank(r.min) <= rank(v)) r.min = TLS_VERSION_NAMES[rank(v) + 1] as TlsVersionName
  return true
}
