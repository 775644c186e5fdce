import type { Sample } from '../sample.ts'
import { leadingInt, sampleText } from '../sample.ts'

/** Key types of stick tables and how a sample becomes a key (HAProxy
 *  stktable_types and the sample→key casts). Keys are kept as text: the
 *  address text for ip/ipv6, decimal text for integer, the (truncated) bytes
 *  as latin1 text for string and binary. */
export type KeyType = 'ip' | 'ipv6' | 'integer' | 'string' | 'binary'

export const KEY_TYPES: ReadonlySet<string> = new Set(['ip', 'ipv6', 'integer', 'string', 'binary'])

const V4 = /^\d{1,3}\.\d{1,3}\.\d{1,3}\.\d{1,3}$/
const MAPPED = '::ffff:'

/** The key for sample <v> in a table of <type> (keys of string/binary
 *  tables cut to <len> bytes), or undefined when the sample cannot be one. */
export function toKey (type: KeyType, len: number, v: Sample): string | undefined {
  switch (type) {
    case 'ip': {
      if (typeof v !== 'string') return undefined
      if (V4.test(v)) return v
      return v.startsWith(MAPPED) && V4.test(v.slice(MAPPED.length)) ? v.slice(MAPPED.length) : undefined
    }
    case 'ipv6':
      if (typeof v !== 'string') return undefined
      return V4.test(v) ? MAPPED + v : v.includes(':') ? v : undefined
    case 'integer':
      return String(typeof v === 'number' ? Math.trunc(v) : typeof v === 'boolean' ? (v ? 1 : 0) : leadingInt(v))
    default: {
      const t = sampleText(v)
      return t.length > len ? t.slice(0, len) : t
    }
  }
}

/** How `show table` prints a key (binary keys as hex, zero-padded to <len>). */
export function keyText (type: KeyType, len: number, key: string): string {
  if (type !== 'binary') return key
  let out = ''
  for (let i = 0; i < len; i++) out += (i < key.length ? key.charCodeAt(i) : 0).toString(16).toUpperCase().padStart(2, '0')
  return out
}
