/** The status snapshot of the kernel-path services, for the runtime API, stats
 *  and the UI, and its `show l4` text form. */
import type { CheckStatusCode } from '../checks/types.ts'
import type { L4Algo, L4Endpoint } from './plan.ts'

export interface L4CheckStatus {
  /** TCP_CHECK, HTTP_GET, SSL_GET, MISC_CHECK */
  readonly checker: string
  readonly up: boolean
  readonly lastStatus: CheckStatusCode
  readonly lastInfo: string
}

export interface L4RealServerStatus {
  readonly addr: string
  readonly port: number
  /** configured weight */
  readonly weight: number
  /** weight programmed in the kernel now (0 = receives no new flow) */
  readonly effectiveWeight: number
  readonly up: boolean
  /** down but kept listed with weight 0 (inhibit_on_failure) */
  readonly inhibited: boolean
  readonly checks: readonly L4CheckStatus[]
  /** new flows sent to this server (nft counter) */
  readonly flows: number
  /** packets and bytes of those flows (nft counter): both directions with lb_kind
   *  NAT; client → server only with DR (the replies do not pass the balancer) */
  readonly packets: number
  readonly bytes: number
}

export interface L4ServiceStatus {
  readonly name: string
  readonly kind: 'NAT' | 'DR'
  readonly protocol: 'tcp' | 'udp'
  readonly algo: L4Algo
  readonly addresses: readonly L4Endpoint[]
  readonly persistenceTimeout: number
  readonly sorryServer: L4RealServerStatus | null
  /** true while no real server is usable and new flows go to the sorry server */
  readonly sorryActive: boolean
  readonly realServers: readonly L4RealServerStatus[]
}

function serverLine (r: L4RealServerStatus, label: string): string {
  const state = r.up ? 'UP' : r.inhibited ? 'DOWN(inhibited)' : 'DOWN'
  const checks = r.checks.map(c => `${c.checker}:${c.lastStatus}${c.lastInfo ? `(${c.lastInfo})` : ''}`).join(',')
  return `  ${label} ${r.addr}:${r.port} ${state} weight ${r.effectiveWeight}/${r.weight} flows ${r.flows} packets ${r.packets} bytes ${r.bytes}${checks ? ` checks ${checks}` : ''}`
}

/** `show l4`: one block per service, one line per real server. */
export function formatL4Status (list: readonly L4ServiceStatus[]): string {
  if (!list.length) return 'no virtual_server configured\n'
  const out: string[] = []
  for (const s of list) {
    const addrs = s.addresses.map(a => `${a.addr}:${a.port}`).join(',')
    out.push(`${s.name} ${s.protocol.toUpperCase()} ${addrs} lb_algo ${s.algo} lb_kind ${s.kind}${s.persistenceTimeout ? ` persistence ${s.persistenceTimeout / 1000}s` : ''}` +
      (s.kind === 'DR' ? ' (packets/bytes: client to server only, replies go straight to the client)' : ''))
    for (const r of s.realServers) out.push(serverLine(r, 'real_server'))
    if (s.sorryServer) out.push(serverLine(s.sorryServer, s.sorryActive ? 'sorry_server(active)' : 'sorry_server'))
  }
  return out.join('\n') + '\n'
}
