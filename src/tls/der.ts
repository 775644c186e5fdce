/** The few ASN.1 DER encodings an X.509 certificate needs (ITU-T X.690):
 *  each function returns the complete TLV. Enough for self-signed.ts. */

function length (n: number): Buffer {
  if (n < 0x80) return Buffer.from([n])
  const bytes: number[] = []
  for (let v = n; v > 0; v = Math.floor(v / 256)) bytes.unshift(v & 0xff)
  return Buffer.from([0x80 | bytes.length, ...bytes])
}

export function tlv (tag: number, ...content: Buffer[]): Buffer {
  const body = Buffer.concat(content)
  return Buffer.concat([Buffer.from([tag]), length(body.length), body])
}

export const sequence = (...items: Buffer[]): Buffer => tlv(0x30, ...items)
export const set = (...items: Buffer[]): Buffer => tlv(0x31, ...items)

/** INTEGER from unsigned big-endian bytes (a 0 byte is prepended when the top bit is set). */
export function integer (unsigned: Buffer): Buffer {
  let i = 0
  while (i < unsigned.length - 1 && unsigned[i] === 0) i++
  const v = unsigned.subarray(i)
  return tlv(0x02, ((v[0] ?? 0) & 0x80) !== 0 ? Buffer.concat([Buffer.from([0]), v]) : v)
}

export const smallInteger = (n: number): Buffer => integer(Buffer.from([n]))

export function oid (dotted: string): Buffer {
  const parts = dotted.split('.').map(Number)
  const bytes: number[] = [(parts[0] as number) * 40 + (parts[1] as number)]
  for (const p of parts.slice(2)) {
    const chunk: number[] = [p & 0x7f]
    for (let v = Math.floor(p / 128); v > 0; v = Math.floor(v / 128)) chunk.unshift(0x80 | (v & 0x7f))
    bytes.push(...chunk)
  }
  return tlv(0x06, Buffer.from(bytes))
}

export const utf8String = (s: string): Buffer => tlv(0x0c, Buffer.from(s, 'utf8'))
export const octetString = (b: Buffer): Buffer => tlv(0x04, b)
/** BIT STRING of whole bytes (no unused bits) */
export const bitString = (b: Buffer): Buffer => tlv(0x03, Buffer.from([0]), b)
export const boolean = (v: boolean): Buffer => tlv(0x01, Buffer.from([v ? 0xff : 0]))
/** [n] EXPLICIT (constructed, context-specific) */
export const explicit = (n: number, inner: Buffer): Buffer => tlv(0xa0 | n, inner)
/** [n] IMPLICIT primitive (context-specific), e.g. GeneralName dNSName = [2] */
export const implicit = (n: number, content: Buffer): Buffer => tlv(0x80 | n, content)

/** UTCTime before 2050, GeneralizedTime from then on (RFC 5280 4.1.2.5). */
export function time (d: Date): Buffer {
  const two = (n: number): string => String(n).padStart(2, '0')
  const rest = two(d.getUTCMonth() + 1) + two(d.getUTCDate()) + two(d.getUTCHours()) + two(d.getUTCMinutes()) + two(d.getUTCSeconds()) + 'Z'
  const year = d.getUTCFullYear()
  return year < 2050
    ? tlv(0x17, Buffer.from(two(year % 100) + rest, 'latin1'))
    : tlv(0x18, Buffer.from(String(year) + rest, 'latin1'))
}
