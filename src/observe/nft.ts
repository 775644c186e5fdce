/** The nftables rules of observe mode, each change one transaction (`nft -f -`),
 *  so the bridge itself is never touched and never cut.
 *
 *  Without br_netfilter, bridged packets never meet the inet hooks, so the bridge
 *  table diverts the PC side's intercepted TCP flows up to the local stack (as
 *  ebtables' redirect target did: destination MAC set to the bridge's own, packet
 *  type host) and marks them; the inet table redirects marked packets to the local
 *  interceptors, and conntrack keeps their original destination.
 *
 *  Which flows are diverted is decided once per connection, at its SYN: while
 *  observe is on, the `admit` chain adds the flow (addresses and ports, IPv4 or
 *  IPv6) to a set; every packet of a flow in the set is diverted, whether observe
 *  is still on or not. Turning off only empties `admit`: connections intercepted so
 *  far keep reaching their relay until they end, new ones are bridged untouched.
 *  Turning on only fills it: connections already open (not in the set) stay bridged.
 *  Traffic of the other side, other ports, UDP and ARP are bridged as ever. */
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

/** The two IP families as the bridge table spells them */
const FAMILIES = [
  { set: 'flows4', ether: 'ip', addr: 'ipv4_addr', key: 'ip saddr . tcp sport . ip daddr . tcp dport' },
  { set: 'flows6', ether: 'ip6', addr: 'ipv6_addr', key: 'ip6 saddr . tcp sport . ip6 daddr . tcp dport' }
] as const

/** An idle diverted flow is forgotten after this (the relay drops idle connections sooner) */
const FLOW_TIMEOUT = '2h'
const MAX_FLOWS = 65536

/** The whole ruleset, with observe off (`admit` empty). */
export function observeRules (r: RuleSpec): string {
  return `table bridge ${r.table} {
${FAMILIES.map(f => `  set ${f.set} { type ${f.addr} . inet_service . ${f.addr} . inet_service; flags timeout; timeout ${FLOW_TIMEOUT}; size ${MAX_FLOWS}; }`).join('\n')}
  chain admit {
  }
  chain divert {
    type filter hook prerouting priority -300; policy accept;
    iifname != "${r.pcPort}" accept
    jump admit
${FAMILIES.map(f => `    ether type ${f.ether} ${f.key} @${f.set} update @${f.set} { ${f.key} } meta pkttype set host ether daddr set ${r.bridgeMac} meta mark set ${r.mark}`).join('\n')}
  }
}
table inet ${r.table} {
  chain intercept {
    type nat hook prerouting priority dstnat; policy accept;
    meta mark != ${r.mark} accept
    fib daddr type local accept
${r.redirects.map(x => `    tcp dport ${set(x.ports)} redirect to :${x.to}`).join('\n')}
  }
}
`
}

/** The rules of `admit` while observe is on: a new connection (a bare SYN) to an
 *  intercepted port joins its family's set of diverted flows. */
export function admitRules (r: RuleSpec): string {
  const all = set(r.redirects.flatMap(x => x.ports))
  return FAMILIES.map(f =>
    `add rule bridge ${r.table} admit ether type ${f.ether} tcp dport ${all} tcp flags & (syn | ack | fin | rst) == syn add @${f.set} { ${f.key} }\n`).join('')
}

/** Declaring then deleting makes the removal succeed whether or not the tables exist. */
const removal = (table: string): string => `table bridge ${table} {}\ndelete table bridge ${table}\ntable inet ${table} {}\ndelete table inet ${table}\n`

function nft (script: string): void {
  const r = spawnSync('nft', ['-f', '-'], { input: script, encoding: 'utf8', timeout: 10_000 })
  if (r.status !== 0) throw new Error(`nft: ${(r.stderr || r.error?.message || `exit ${r.status}`).trim()}`)
}

/** Installs (or replaces) the rules of <r>, observe off. */
export function installRules (r: RuleSpec): void { nft(removal(r.table) + observeRules(r)) }

/** Observe on (<on>) or off: only the admission of new connections changes. */
export function setAdmission (r: RuleSpec, on: boolean): void {
  nft(`flush chain bridge ${r.table} admit\n${on ? admitRules(r) : ''}`)
}

export function removeRules (table: string): void { nft(removal(table)) }
