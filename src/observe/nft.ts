/** The nftables rules of observe mode, added and removed as one transaction
 *  (`nft -f -`), so the bridge itself is never touched and never cut.
 *
 *  Without br_netfilter, bridged IPv4 never meets the inet hooks, so the bridge
 *  table diverts the PC side's TCP to the intercepted ports up to the local stack
 *  (as ebtables' redirect target did: destination MAC set to the bridge's own,
 *  packet type host) and marks it; the ip table redirects marked packets to the
 *  local interceptors. Conntrack keeps the original destination for them. Traffic
 *  of the other side, other ports, UDP, ARP and IPv6 is bridged as before. */
import { spawnSync } from 'node:child_process'

export interface RuleSpec {
  /** nft table name, in both families */
  readonly table: string
  /** Bridge port facing the PC */
  readonly pcPort: string
  /** MAC address of the bridge device */
  readonly bridgeMac: string
  readonly mark: number
  /** Original destination ports → local listening port */
  readonly redirects: ReadonlyArray<{ readonly ports: readonly number[]; readonly to: number }>
}

const set = (ports: readonly number[]): string => `{ ${ports.join(', ')} }`

export function observeRules (r: RuleSpec): string {
  const all = r.redirects.flatMap(x => x.ports)
  return `table bridge ${r.table} {
  chain divert {
    type filter hook prerouting priority -300; policy accept;
    iifname "${r.pcPort}" ether type ip tcp dport ${set(all)} meta pkttype set host ether daddr set ${r.bridgeMac} meta mark set ${r.mark}
  }
}
table ip ${r.table} {
  chain intercept {
    type nat hook prerouting priority dstnat; policy accept;
    meta mark != ${r.mark} accept
    fib daddr type local accept
${r.redirects.map(x => `    tcp dport ${set(x.ports)} redirect to :${x.to}`).join('\n')}
  }
}
`
}

/** Declaring then deleting makes the removal succeed whether or not the tables exist. */
const removal = (table: string): string => `table bridge ${table} {}\ndelete table bridge ${table}\ntable ip ${table} {}\ndelete table ip ${table}\n`

function nft (script: string): void {
  const r = spawnSync('nft', ['-f', '-'], { input: script, encoding: 'utf8', timeout: 10_000 })
  if (r.status !== 0) throw new Error(`nft: ${(r.stderr || r.error?.message || `exit ${r.status}`).trim()}`)
}

/** Installs (or replaces) the rules of <r> atomically. */
export function applyRules (r: RuleSpec): void { nft(removal(r.table) + observeRules(r)) }

export function removeRules (table: string): void { nft(removal(table)) }
