/** The effectful edges of one VRRP instance, injected into instance.ts so that
 *  the shell runs with in-memory fakes in unit tests and with raw sockets and
 *  iproute2 on the device. */
import type { VipPlan } from './types.ts'

export interface VrrpTransport {
  /** Our source address in adverts (unicast_src_ip or the interface's primary IPv4) */
  readonly localAddress: string
  /** Where adverts go: [224.0.0.18] or the unicast peers */
  readonly destinations: readonly string[]
  /** Send the VRRP message <msg> (no IP header) to <dst>; the transport adds IPv4 with TTL 255. */
  send (msg: Buffer, dst: string): void
  /** <cb> gets every received IPv4 datagram of protocol 112, IP header included. */
  onPacket (cb: (ipPacket: Buffer) => void): void
  close (): void
}

export interface VipManager {
  add (vips: readonly VipPlan[]): Promise<void>
  /** Removes those present; absent ones are not an error (used to clear stale VIPs at start) */
  del (vips: readonly VipPlan[]): Promise<void>
  /** <count> gratuitous ARPs for each address */
  garp (vips: readonly VipPlan[], count: number): Promise<void>
}

/** Runs a notify script; <args> are appended as keepalived does for `notify`. */
export type ScriptRunner = (cmd: string, args: readonly string[]) => void
