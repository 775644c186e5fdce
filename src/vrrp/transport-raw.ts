/** VrrpTransport over a raw IPv4 socket of protocol 112 (@neuralegion/raw-socket,
 *  the only native addon here; Node has no raw sockets). The addon only offers
 *  setsockopt with a byte buffer, which is all we need:
 *  - SO_BINDTODEVICE so we hear and speak only on <interface>;
 *  - IP_HDRINCL: we write the IPv4 header ourselves, which gives TTL 255 for
 *    unicast and multicast alike (rfc5798 §5.1.1.3) and the unicast_src_ip;
 *  - IP_ADD_MEMBERSHIP (struct ip_mreqn) for 224.0.0.18 on <interface>,
 *    IP_MULTICAST_IF for the outgoing interface, IP_MULTICAST_LOOP off. */
import { createRequire } from 'node:module'
import { readFileSync } from 'node:fs'
import { networkInterfaces } from 'node:os'
import type { VrrpTransport } from './ports.ts'
import { encodeIpv4, ipv4ToInt, VRRP_MCAST_V4, VRRP_PROTO } from './packet.ts'

// Linux <asm-generic/socket.h>, <linux/in.h>
const SOL_SOCKET = 1
const SO_BINDTODEVICE = 25
const IPPROTO_IP = 0
const IP_HDRINCL = 3
const IP_MULTICAST_IF = 32
const IP_MULTICAST_LOOP = 34
const IP_ADD_MEMBERSHIP = 35

interface RawSocket {
  setOption (level: number, option: number, value: number | Buffer, length?: number): void
  send (buf: Buffer, offset: number, length: number, address: string, after: (err: Error | null, bytes: number) => void): void
  on (ev: 'message', cb: (buf: Buffer, source: string) => void): void
  on (ev: 'error', cb: (err: Error) => void): void
  close (): void
}
interface RawModule { createSocket (opts: { protocol: number; bufferSize?: number }): RawSocket }

export interface RawTransportOpts {
  readonly interface: string
  /** unicast_src_ip; null = the interface's primary IPv4 address */
  readonly srcIp: string | null
  /** unicast_peer list; empty = multicast 224.0.0.18 */
  readonly peers: readonly string[]
  /** Addresses never taken as the primary one (our VIPs, possibly still configured) */
  readonly exclude: readonly string[]
  readonly onError?: (err: Error) => void
}

/** Primary IPv4 address of <ifname>, skipping <exclude>; throws when none. */
export function primaryAddress (ifname: string, exclude: readonly string[]): string {
  const list = networkInterfaces()[ifname]
  const a = list?.find(x => x.family === 'IPv4' && !exclude.includes(x.address))
  if (!a) throw new Error(`interface ${ifname} has no IPv4 address`)
  return a.address
}

export function ifIndex (ifname: string): number {
  return Number(readFileSync(`/sys/class/net/${ifname}/ifindex`, 'utf8').trim())
}

/** struct ip_mreqn { in_addr multiaddr; in_addr address; int ifindex } */
function mreqn (group: string, ifindex: number): Buffer {
  const b = Buffer.alloc(12)
  if (group) b.writeUInt32BE(ipv4ToInt(group), 0)
  b.writeInt32LE(ifindex, 8)     // host byte order; all our targets are little-endian
  return b
}

export function openRawTransport (o: RawTransportOpts): VrrpTransport {
  const raw = createRequire(import.meta.url)('@neuralegion/raw-socket') as RawModule
  const localAddress = o.srcIp ?? primaryAddress(o.interface, o.exclude)
  const destinations = o.peers.length ? [...o.peers] : [VRRP_MCAST_V4]
  const sock = raw.createSocket({ protocol: VRRP_PROTO, bufferSize: 2048 })
  const dev = Buffer.from(`${o.interface}\0`)
  sock.setOption(SOL_SOCKET, SO_BINDTODEVICE, dev, dev.length)
  sock.setOption(IPPROTO_IP, IP_HDRINCL, 1)
  if (!o.peers.length) {
    const idx = ifIndex(o.interface)
    const m = mreqn(VRRP_MCAST_V4, idx)
    sock.setOption(IPPROTO_IP, IP_ADD_MEMBERSHIP, m, m.length)
    const out = mreqn('', idx)
    sock.setOption(IPPROTO_IP, IP_MULTICAST_IF, out, out.length)
    const off = Buffer.alloc(4)
    sock.setOption(IPPROTO_IP, IP_MULTICAST_LOOP, off, off.length)
  }
  sock.on('error', err => o.onError?.(err))
  let closed = false
  return {
    localAddress,
    destinations,
    send (msg, dst) {
      if (closed) return
      const ip = encodeIpv4(msg, localAddress, dst)
      sock.send(ip, 0, ip.length, dst, err => { if (err) o.onError?.(err) })
    },
    onPacket (cb) { sock.on('message', buf => cb(buf)) },
    close () { if (!closed) { closed = true; sock.close() } }
  }
}
