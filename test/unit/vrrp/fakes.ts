/** In-memory clock, timers, wire and VIP manager for VRRP shell tests. */
import type { Clock, Timer, TimerSource } from '../../../src/core/clock.ts'
import type { VipManager, VrrpTransport } from '../../../src/vrrp/ports.ts'
import type { VipPlan } from '../../../src/vrrp/types.ts'
import { encodeIpv4, VRRP_MCAST_V4 } from '../../../src/vrrp/packet.ts'

interface Pending { at: number; seq: number; fn: () => void; live: boolean }

/** A clock and timer source driven by advance(); timers fire in time order. */
export class FakeTime implements Clock, TimerSource {
  private t = 0
  private seq = 0
  private pending: Pending[] = []
  now (): number { return this.t }
  wall (): number { return 1_700_000_000_000 + this.t }
  after (ms: number, fn: () => void): Timer {
    const p: Pending = { at: this.t + ms, seq: this.seq++, fn, live: true }
    this.pending.push(p)
    return { cancel: () => { p.live = false }, refresh: () => { p.at = this.t + ms } }
  }

  /** Runs every timer due within <ms>, in order, moving the clock to each. */
  advance (ms: number): void {
    const end = this.t + ms
    for (;;) {
      this.pending = this.pending.filter(p => p.live)
      let next: Pending | undefined
      for (const p of this.pending) if (p.at <= end && (!next || p.at < next.at || (p.at === next.at && p.seq < next.seq))) next = p
      if (!next) break
      this.t = next.at
      next.live = false
      next.fn()
    }
    this.t = end
  }
}

/** A shared L2 segment: every packet sent to 224.0.0.18 reaches every other
 *  port, a unicast one only the port owning the address. <ttl> can be changed
 *  to test drops. Delivery is synchronous. */
export class FakeWire {
  readonly ports: FakePort[] = []
  ttl = 255
  cut = false
  sent: { src: string; dst: string; msg: Buffer }[] = []
  port (addr: string, peers: readonly string[] = []): FakePort {
    const p = new FakePort(this, addr, peers.length ? peers : [VRRP_MCAST_V4])
    this.ports.push(p)
    return p
  }

  deliver (from: FakePort, msg: Buffer, dst: string): void {
    this.sent.push({ src: from.localAddress, dst, msg })
    if (this.cut) return
    const ip = encodeIpv4(msg, from.localAddress, dst)
    ip[8] = this.ttl
    for (const p of this.ports) {
      if (p === from || p.closed) continue
      if (dst === VRRP_MCAST_V4 || dst === p.localAddress) p.receive(ip)
    }
  }
}

export class FakePort implements VrrpTransport {
  closed = false
  private cb: ((pkt: Buffer) => void) | null = null
  constructor (private readonly wire: FakeWire, readonly localAddress: string, readonly destinations: readonly string[]) {}
  send (msg: Buffer, dst: string): void { if (!this.closed) this.wire.deliver(this, msg, dst) }
  onPacket (cb: (pkt: Buffer) => void): void { this.cb = cb }
  receive (pkt: Buffer): void { this.cb?.(pkt) }
  close (): void { this.closed = true }
}

export class FakeVips implements VipManager {
  readonly up = new Set<string>()
  readonly log: string[] = []
  async add (vips: readonly VipPlan[]): Promise<void> { for (const v of vips) { this.up.add(v.addr); this.log.push(`add ${v.addr}`) } }
  async del (vips: readonly VipPlan[]): Promise<void> { for (const v of vips) { this.up.delete(v.addr); this.log.push(`del ${v.addr}`) } }
  async garp (vips: readonly VipPlan[], count: number): Promise<void> { for (const v of vips) this.log.push(`garp ${v.addr} x${count}`) }
}
