/** Where a redirected connection was going. Node cannot call
 *  getsockopt(SO_ORIGINAL_DST), but the connection's conntrack entry holds it:
 *  original tuple src=<client> sport=<cport> dst=<ORIGINAL> dport=<ORIGINAL>,
 *  reply tuple sport=<our listening port> dport=<cport>, for IPv4 and IPv6 alike
 *  (IPv6 addresses printed in full there). The table is the one of the calling
 *  process's network namespace; it is read once per intercepted connection (not
 *  per packet), which a small board affords. */
import { readFileSync } from 'node:fs'

export interface Endpoint { readonly addr: string; readonly port: number }

const CONNTRACK = '/proc/net/nf_conntrack'

/** An IPv4 peer of a dual-stack socket appears as ::ffff:a.b.c.d: a.b.c.d */
export function plainAddress (addr: string): string {
  return addr.startsWith('::ffff:') && addr.includes('.') ? addr.slice(7) : addr
}

/** The shortest form of an IPv6 address (RFC 5952), an IPv4 one as it is. */
export function shortAddress (addr: string): string {
  return addr.includes(':') ? new URL(`http://[${addr}]/`).hostname.slice(1, -1) : addr
}

/** "10.0.0.1:80", "[fd00::1]:80" */
export function endpointName (addr: string, port: number): string {
  const a = shortAddress(plainAddress(addr))
  return a.includes(':') ? `[${a}]:${port}` : `${a}:${port}`
}

/** Original destination of the TCP connection from <client>:<clientPort> that
 *  was redirected to local port <localPort>, or null when conntrack has no such entry. */
export function originalDst (client: string, clientPort: number, localPort: number, table = CONNTRACK): Endpoint | null {
  let text: string
  try { text = readFileSync(table, 'latin1') } catch { return null }
  const want = shortAddress(plainAddress(client))
  const sport = ` sport=${clientPort} `
  for (const line of text.split('\n')) {
    if (!line.includes(sport) || !line.includes(' tcp ')) continue
    const f = /src=(\S+) dst=(\S+) sport=(\d+) dport=(\d+) .*?src=(\S+) dst=(\S+) sport=(\d+) dport=(\d+)/.exec(line)
    if (!f || Number(f[3]) !== clientPort || Number(f[7]) !== localPort || shortAddress(f[1]!) !== want) continue
    return { addr: shortAddress(f[2]!), port: Number(f[4]) }
  }
  return null
}
