/** Character encodings of HAProxy log fields.
 *  - url map (%r %HU %HP ...): '"', '#', controls and bytes >= 127 become "#XX"
 *  - header map (%hr %hs %hrl %hsl): the same plus '{', '|', '}'
 *  - +E (rfc5424 escape) on text fields: '"', '\' and ']' get a backslash
 *  Strings are read as bytes: chars above 0xFF are encoded as their UTF-8 bytes.
 *  The common case (nothing to encode) returns <s> itself, without allocating. */

const HEX = '0123456789ABCDEF'

export type EncodeMap = Uint8Array

function buildMap (extra: string): EncodeMap {
  const m = new Uint8Array(256)
  for (let i = 0; i < 32; i++) m[i] = 1
  for (let i = 127; i < 256; i++) m[i] = 1
  for (const c of extra) m[c.charCodeAt(0)] = 1
  return m
}

export const URL_MAP: EncodeMap = buildMap('"#')
export const HDR_MAP: EncodeMap = buildMap('"#{|}')

function hashByte (b: number): string { return '#' + HEX[b >> 4] + HEX[b & 15] }

/** <s> with every byte set in <map> written as "#XX" */
export function hashEncode (s: string, map: EncodeMap): string {
  let i = 0
  for (; i < s.length; i++) { const c = s.charCodeAt(i); if (c > 255 || map[c] === 1) break }
  if (i === s.length) return s
  let out = s.slice(0, i)
  for (; i < s.length; i++) {
    const c = s.charCodeAt(i)
    if (c <= 255) { out += map[c] === 1 ? hashByte(c) : s[i]; continue }
    const cp = s.codePointAt(i) as number
    if (cp > 0xffff) i++
    for (const b of Buffer.from(String.fromCodePoint(cp), 'utf8')) out += hashByte(b)
  }
  return out
}

/** +E: backslash before '"', '\' and ']' */
export function backslashEscape (s: string): string {
  let i = 0
  for (; i < s.length; i++) { const c = s[i]; if (c === '"' || c === '\\' || c === ']') break }
  if (i === s.length) return s
  let out = s.slice(0, i)
  for (; i < s.length; i++) {
    const c = s[i]
    out += (c === '"' || c === '\\' || c === ']') ? '\\' + c : c
  }
  return out
}

/** IPv4/IPv6 text → upper-case hex of the address bytes (+X on %ci %fi %si %bi) */
export function ipHex (ip: string): string {
  if (ip.includes(':')) {
    const v4 = ip.lastIndexOf('.') > 0 ? ip.slice(ip.lastIndexOf(':') + 1) : ''
    const head = v4 ? ip.slice(0, ip.lastIndexOf(':')) + ':0:0' : ip
    const [l, r] = head.split('::')
    const left = l ? l.split(':') : []
    const right = r !== undefined && r !== '' ? r.split(':') : []
    const groups = r === undefined ? left : [...left, ...new Array(8 - left.length - right.length).fill('0'), ...right]
    let out = ''
    for (let i = 0; i < 8; i++) {
      if (v4 && i >= 6) break
      out += groups[i].padStart(4, '0').toUpperCase()
    }
    return v4 ? out + ipHex(v4) : out
  }
  let out = ''
  for (const part of ip.split('.')) { const b = Number(part); out += HEX[b >> 4] + HEX[b & 15] }
  return out
}
