import type { BindPlan } from '../config/plan.ts'

/** The proxy serves HTTP/1.x only: in `mode http`, an `alpn` list offering
 *  h2 would let clients pick a protocol nobody here speaks. The bind keeps
 *  its other protocols (HTTP/1.1 is then chosen) and the user is told. */
export function withHttp1Alpn (b: BindPlan, warn: (text: string) => void): BindPlan {
  const tls = b.tls
  if (tls === undefined || !tls.alpn.includes('h2')) return b
  warn(`parsing [${b.where.file}:${b.where.line}] : 'alpn' : HTTP/2 is not served on this device; 'h2' is not offered (HTTP/1.1 is).`)
  return { ...b, tls: { ...tls, alpn: tls.alpn.filter(p => p !== 'h2') } }
}
