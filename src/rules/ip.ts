import { isIPv4, isIPv6 } from 'node:net'

/** IP helpers for the `ip` match method, map_ip and the ipmask converter.
 *  IPv4 addresses are unsigned 32-bit numbers, IPv6 addresses 128-bit bigints. */
export type IpAddr = { readonly v6: false; readonly n: number } | { readonly v6: true; readonly n: bigint }

export function parseIp (text: string): IpAddr | null {
  if (isIPv4(text)) return { v6: false, n: v4ToNum(text) }
  if (isIPv6(text)) return { v6: true, n: v6ToBig(text) }
  return null
}

function v4ToNum (text: string): number {
  let n = 0
  let part = 0
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i)
    if (c === 46) { n = n * 256 + part; part = 0 } else part = part * 10 + c - 48
  }
  return n * 256 + part
}

function v6ToBig (text: string): bigint {
  let t = text
  const pct = t.indexOf('%')
  if (pct >= 0) t = t.slice(0, pct)
  // an embedded dotted quad (::ffff:1.2.3.4) becomes two hex groups
  const lastColon = t.lastIndexOf(':')
  const tail = t.slice(lastColon + 1)
  if (tail.includes('.')) {
    const v4 = v4ToNum(tail)
    t = t.slice(0, lastColon + 1) + (v4 >>> 16).toString(16) + ':' + (v4 & 0xffff).toString(16)
  }
  const dbl = t.indexOf('::')
  let groups: string[]
  if (dbl >= 0) {
    const head = t.slice(0, dbl) === '' ? [] : t.slice(0, dbl).split(':')
    const rest = t.slice(dbl + 2) === '' ? [] : t.slice(dbl + 2).split(':')
    groups = [...head, ...new Array<string>(8 - head.length - rest.length).fill('0'), ...rest]
  } else groups = t.split(':')
  let n = 0n
  for (const g of groups) n = (n << 16n) | BigInt(parseInt(g, 16))
  return n
}

const V4_MAPPED = 0xffffn << 32n

/** Same address in the other family when it has one (::ffff:a.b.c.d ⇄ a.b.c.d). */
export function otherFamily (a: IpAddr): IpAddr | null {
  if (!a.v6) return { v6: true, n: V4_MAPPED | BigInt(a.n) }
  if ((a.n >> 32n) === 0xffffn) return { v6: false, n: Number(a.n & 0xffffffffn) }
  return null
}

export function v4Mask (bits: number): number {
  return bits === 0 ? 0 : (0xffffffff << (32 - bits)) >>> 0
}

export function v6Mask (bits: number): bigint {
  return bits === 0 ? 0n : ((1n << 128n) - 1n) ^ ((1n << BigInt(128 - bits)) - 1n)
}

/** Network with <bits> prefix bits of <a>. */
export function maskAddr (a: IpAddr, bits: number): IpAddr {
  return a.v6 ? { v6: true, n: a.n & v6Mask(bits) } : { v6: false, n: (a.n & v4Mask(bits)) >>> 0 }
}

/** Prefix length of a dotted mask ("255.255.255.0" → 24), -1 if not contiguous. */
export function dottedMaskBits (text: string): number {
  if (!isIPv4(text)) return -1
  const n = v4ToNum(text)
  for (let bits = 0; bits <= 32; bits++) if (v4Mask(bits) === n) return bits
  return -1
}

export function formatIp (a: IpAddr): string {
  if (!a.v6) return `${a.n >>> 24}.${(a.n >>> 16) & 255}.${(a.n >>> 8) & 255}.${a.n & 255}`
  const groups: string[] = []
  for (let i = 7; i >= 0; i--) groups.push(Number((a.n >> BigInt(i * 16)) & 0xffffn).toString(16))
  // RFC 5952: compress the longest run (>= 2) of zero groups
  let best = -1
  let bestLen = 1
  for (let i = 0; i < 8;) {
    if (groups[i] !== '0') { i++; continue }
    let j = i
    while (j < 8 && groups[j] === '0') j++
    if (j - i > bestLen) { best = i; bestLen = j - i }
    i = j
  }
  if (best < 0) return groups.join(':')
  return groups.slice(0, best).join(':') + '::' + groups.slice(best + bestLen).join(':')
}

/** Parses "addr[/bits|/dotted-mask]" into a network; null when invalid. */
export function parseNetwork (text: string): { addr: IpAddr; bits: number } | null {
  const slash = text.indexOf('/')
  const addr = parseIp(slash < 0 ? text : text.slice(0, slash))
  if (addr === null) return null
  const max = addr.v6 ? 128 : 32
  if (slash < 0) return { addr, bits: max }
  const m = text.slice(slash + 1)
  const bits = /^\d+$/.test(m) ? Number(m) : (addr.v6 ? -1 : dottedMaskBits(m))
  if (bits < 0 || bits > max) return null
  return { addr: maskAddr(addr, bits), bits }
}
