/** Pure codec for VRRP advertisements over IPv4: VRRPv3 (rfc9568/rfc5798 §5.2)
 *  and VRRPv2 (rfc3768 §5.3, authentication type 0 as keepalived sends it).
 *  No IO; every rejected packet gets a DropReason so the shell can count it. */

export const VRRP_PROTO = 112
export const VRRP_MCAST_V4 = '224.0.0.18'
export const VRRP_TTL = 255
const TYPE_ADVERT = 1
const IPV4_HDR_LEN = 20
const VRRP_HDR_LEN = 8
/** rfc3768 §5.3.10: 8 octets of authentication data follow the addresses in v2 */
const V2_AUTH_LEN = 8

export interface VrrpAdvert {
  readonly version: 2 | 3
  readonly vrid: number
  readonly priority: number
  /** Advertisement interval in ms (v3: centisecond field x10; v2: seconds x1000) */
  readonly adverInt: number
  readonly addrs: readonly string[]
}

export type DropReason =
  | 'short'        // shorter than an IPv4 header + VRRP header
  | 'ip-header'    // bad IHL / total length / not IPv4
  | 'not-vrrp'     // IP protocol is not 112
  | 'ttl'          // rfc5798 §7.1: IP TTL must be 255
  | 'version'      // VRRP version differs from the instance's
  | 'type'         // not an ADVERTISEMENT
  | 'checksum'
  | 'vrid'         // no instance with this VRID
  | 'length'       // VRRP length too short for the announced address count
  | 'addr-count'   // zero addresses
  | 'auth'         // v2: authentication type other than 0
  | 'interval'     // v2: rfc3768 §7.1 advert interval must match the local one

export type Decoded =
  | { readonly ok: true; readonly advert: VrrpAdvert; readonly src: string; readonly dst: string; readonly ttl: number }
  | { readonly ok: false; readonly reason: DropReason }

/** What the receiving instance expects; <adverInt> is only checked for v2. */
export interface Expect { readonly version: 2 | 3; readonly vrid: number; readonly adverInt: number }

export function ipv4ToInt (ip: string): number {
  const p = ip.split('.')
  if (p.length !== 4) throw new Error(`bad IPv4 address ${ip}`)
  let n = 0
  for (const s of p) {
    const b = Number(s)
    if (!/^\d{1,3}$/.test(s) || b > 255) throw new Error(`bad IPv4 address ${ip}`)
    n = n * 256 + b
  }
  return n
}

export function intToIpv4 (n: number): string {
  return `${(n >>> 24) & 255}.${(n >>> 16) & 255}.${(n >>> 8) & 255}.${n & 255}`
}

/** One's-complement sum of <buf> folded to 16 bits, starting from <sum>. */
function onesSum (buf: Uint8Array, sum: number): number {
  const n = buf.length & ~1
  for (let i = 0; i < n; i += 2) sum += (buf[i]! << 8) | buf[i + 1]!
  if (buf.length & 1) sum += buf[buf.length - 1]! << 8
  while (sum > 0xffff) sum = (sum & 0xffff) + (sum >>> 16)
  return sum
}

/** Internet checksum of <msg> (its checksum field must be zero or included as
 *  received); v3 adds the IPv4 pseudo-header of <src>, <dst> (rfc5798 §5.2.8). */
export function vrrpChecksum (msg: Uint8Array, version: 2 | 3, src: string, dst: string): number {
  let sum = 0
  if (version === 3) {
    const s = ipv4ToInt(src); const d = ipv4ToInt(dst)
    sum = (s >>> 16) + (s & 0xffff) + (d >>> 16) + (d & 0xffff) + VRRP_PROTO + msg.length
  }
  return (~onesSum(msg, sum)) & 0xffff
}

/** The VRRP message (no IP header), checksum filled in for <src> → <dst>. */
export function encodeAdvert (a: VrrpAdvert, src: string, dst: string): Buffer {
  const len = VRRP_HDR_LEN + 4 * a.addrs.length + (a.version === 2 ? V2_AUTH_LEN : 0)
  const b = Buffer.alloc(len)
  b[0] = (a.version << 4) | TYPE_ADVERT
  b[1] = a.vrid
  b[2] = a.priority
  b[3] = a.addrs.length
  if (a.version === 3) {
    b.writeUInt16BE(Math.round(a.adverInt / 10) & 0x0fff, 4)     // centiseconds, 4 reserved bits zero
  } else {
    b[4] = 0                                                       // auth type none
    b[5] = Math.round(a.adverInt / 1000)
  }
  for (let i = 0; i < a.addrs.length; i++) b.writeUInt32BE(ipv4ToInt(a.addrs[i]!), VRRP_HDR_LEN + 4 * i)
  b.writeUInt16BE(vrrpChecksum(b, a.version, src, dst), 6)
  return b
}

/** IPv4 header + <payload> for an IP_HDRINCL socket: TTL 255 (rfc5798 §5.1.1.3),
 *  DF clear, id 0 (the kernel fills id and header checksum when zero). */
export function encodeIpv4 (payload: Uint8Array, src: string, dst: string): Buffer {
  const b = Buffer.alloc(IPV4_HDR_LEN + payload.length)
  b[0] = 0x45
  b[1] = 0xc0                                   // DSCP CS6 (network control), as keepalived
  b.writeUInt16BE(b.length, 2)
  b[8] = VRRP_TTL
  b[9] = VRRP_PROTO
  b.writeUInt32BE(ipv4ToInt(src), 12)
  b.writeUInt32BE(ipv4ToInt(dst), 16)
  b.writeUInt16BE((~onesSum(b.subarray(0, IPV4_HDR_LEN), 0)) & 0xffff, 10)
  b.set(payload, IPV4_HDR_LEN)
  return b
}

const drop = (reason: DropReason): Decoded => ({ ok: false, reason })

/** Decode and validate an IPv4 datagram carrying VRRP as a raw socket returns it
 *  (IP header included), following rfc5798 §7.1 / rfc3768 §7.1 in that order. */
export function decodeIpv4 (pkt: Uint8Array, expect: Expect): Decoded {
  if (pkt.length < IPV4_HDR_LEN + VRRP_HDR_LEN) return drop('short')
  const ihl = (pkt[0]! & 0x0f) * 4
  if (pkt[0]! >> 4 !== 4 || ihl < IPV4_HDR_LEN) return drop('ip-header')
  const totLen = (pkt[2]! << 8) | pkt[3]!
  if (totLen > pkt.length || totLen < ihl + VRRP_HDR_LEN) return drop('ip-header')
  if (pkt[9] !== VRRP_PROTO) return drop('not-vrrp')
  const ttl = pkt[8]!
  const src = intToIpv4(((pkt[12]! << 24) | (pkt[13]! << 16) | (pkt[14]! << 8) | pkt[15]!) >>> 0)
  const dst = intToIpv4(((pkt[16]! << 24) | (pkt[17]! << 16) | (pkt[18]! << 8) | pkt[19]!) >>> 0)
  if (ttl !== VRRP_TTL) return drop('ttl')
  const r = decodeMessage(pkt.subarray(ihl, totLen), src, dst, expect)
  return r.ok ? { ok: true, advert: r.advert, src, dst, ttl } : r
}

/** Validate the VRRP message <msg> received from <src> to <dst>. */
export function decodeMessage (msg: Uint8Array, src: string, dst: string, expect: Expect):
  { ok: true; advert: VrrpAdvert } | { ok: false; reason: DropReason } {
  if (msg.length < VRRP_HDR_LEN) return { ok: false, reason: 'short' }
  const version = msg[0]! >> 4
  if (version !== expect.version) return { ok: false, reason: 'version' }
  if ((msg[0]! & 0x0f) !== TYPE_ADVERT) return { ok: false, reason: 'type' }
  const count = msg[3]!
  const need = VRRP_HDR_LEN + 4 * count
  if (msg.length < need) return { ok: false, reason: 'length' }
  // v2 includes the authentication data in the checksummed message; a v3 message
  // ends after its addresses (trailing bytes would break the pseudo-header length)
  const covered = version === 2 ? msg.subarray(0, Math.min(msg.length, need + V2_AUTH_LEN)) : msg.subarray(0, need)
  if (vrrpChecksum(covered, expect.version, src, dst) !== 0) return { ok: false, reason: 'checksum' }
  if (msg[1] !== expect.vrid) return { ok: false, reason: 'vrid' }
  if (count === 0) return { ok: false, reason: 'addr-count' }
  let adverInt: number
  if (version === 2) {
    if (msg[4] !== 0) return { ok: false, reason: 'auth' }
    adverInt = msg[5]! * 1000
    if (adverInt !== expect.adverInt) return { ok: false, reason: 'interval' }
  } else {
    adverInt = (((msg[4]! << 8) | msg[5]!) & 0x0fff) * 10
  }
  const addrs: string[] = []
  for (let i = 0; i < count; i++) {
    const o = VRRP_HDR_LEN + 4 * i
    addrs.push(intToIpv4(((msg[o]! << 24) | (msg[o + 1]! << 16) | (msg[o + 2]! << 8) | msg[o + 3]!) >>> 0))
  }
  return { ok: true, advert: { version: version as 2 | 3, vrid: msg[1]!, priority: msg[2]!, adverInt, addrs } }
}
