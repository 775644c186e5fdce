/** Where a redirected connection was going. Node cannot call
 *  getsockopt(SO_ORIGINAL_DST), but the connection's conntrack entry holds it:
 *  original tuple src=<client> sport=<cport> dst=<ORIGINAL> dport=<ORIGINAL>,
 *  reply tuple sport=<our listening port> dport=<cport>. The table is the one of
 *  the calling process's network namespace; it is read once per intercepted
 *  connection (not per packet), which a small board affords. */
import { readFileSync } from 'node:fs'

export interface Endpoint { readonly addr: string; readonly port: number }

const CONNTRACK = '/proc/net/nf_conntrack'

/** Original destination of the TCP connection from <client>:<clientPort> that
 *  was redirected to local port <localPort>, or null when conntrack has no such entry. */
export function originalDst (client: string, clientPort: number, localPort: number, table = CONNTRACK): Endpoint | null {
  let text: string
  try { text = readFileSync(table, 'latin1') } catch { return null }
  const origKey = `src=${client} `
  const sport = ` sport=${clientPort} `
  for (const line of text.split('\n')) {
    if (!line.includes(origKey) || !line.includes(sport) || !line.includes(' tcp ')) continue
    const f = /src=(\S+) dst=(\S+) sport=(\d+) dport=(\d+) .*?src=(\S+) dst=(\S+) sport=(\d+) dport=(\d+)/.exec(line)
    if (!f || f[1] !== client || Number(f[3]) !== clientPort || Number(f[7]) !== localPort) continue
    return { addr: f[2]!, port: Number(f[4]) }
  }
  return null
}
