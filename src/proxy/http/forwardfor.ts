import { isIPv4 } from 'node:net'
import type { HttpHead } from '../../core/http-head.ts'
import { addHeader, headerCount } from '../../core/http-head.ts'
import type { ForwardFor } from '../../config/plan.ts'

/** `option forwardfor [except <net>] [header <name>] [if-none]`: appends the
 *  client address as the last field, as HAProxy does. */
export function applyForwardFor (head: HttpHead, ff: ForwardFor, clientAddr: string): void {
  const addr = clientAddr.startsWith('::ffff:') && isIPv4(clientAddr.slice(7)) ? clientAddr.slice(7) : clientAddr
  if (ff.except !== null && inNetwork(addr, ff.except.addr, ff.except.prefix)) return
  const lname = ff.header.toLowerCase()
  if (ff.ifNone && headerCount(head, lname) > 0) return
  addHeader(head, ff.header, addr)
}

function v4num (a: string): number {
  const p = a.split('.')
  return ((+p[0] << 24) | (+p[1] << 16) | (+p[2] << 8) | +p[3]) >>> 0
}

function inNetwork (addr: string, net: string, prefix: number): boolean {
  if (isIPv4(addr) && isIPv4(net)) {
    if (prefix === 0) return true
    const mask = prefix >= 32 ? 0xffffffff : (~((1 << (32 - prefix)) - 1)) >>> 0
    return ((v4num(addr) & mask) >>> 0) === ((v4num(net) & mask) >>> 0)
  }
  return addr === net
}
