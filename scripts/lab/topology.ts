/** The lab's topology as data: namespace names (all under one <prefix>, so a
 *  lab never touches anything it did not make), addresses, and the switch ports.
 *
 *    client ── lan ──┬── lb1 (eth0 10.77.0.11, eth1 10.77.1.11) ──┬── srv ── web1 10.77.1.21
 *                    └── lb2 (eth0 10.77.0.12, eth1 10.77.1.12) ──┘         web2 10.77.1.22
 *    VIP 10.77.0.100 (VRRP, lb1 priority 150, lb2 100)                      web3 10.77.1.23
 *
 *  Both segments are Linux bridges ("lan", "srv") in one switch namespace; every
 *  node is joined to them by a veth pair whose switch end is named
 *  "<segment>-<node>" (pulling that one down is pulling the cable). */
export const VIP = '10.77.0.100'
export const LAN_NET = '10.77.0'
export const SRV_NET = '10.77.1'
export const STATS_PORT = 8404
export const UI_PORT = 8080
/** First host loopback port of the UI forwarders (lb1, lb2 on the next) */
export const UI_HOST_PORT = 9101
export const WEB_COUNT = 3
export const LB_PRIORITY: Readonly<Record<LbName, number>> = { lb1: 150, lb2: 100 }

export type LbName = 'lb1' | 'lb2'
export const LBS: readonly LbName[] = ['lb1', 'lb2']

/** One interface of a node: its switch segment, its name inside the node, its address */
export interface Port {
  readonly segment: 'lan' | 'srv'
  readonly ifname: 'eth0' | 'eth1'
  readonly addr: string
  /** Name of the veth end in the switch namespace */
  readonly switchPort: string
}

export interface LabNode {
  /** Short name used on the command line and in the state file: client, lb1, web2 */
  readonly name: string
  readonly ns: string
  readonly ports: readonly Port[]
}

export interface Topology {
  readonly prefix: string
  readonly switchNs: string
  readonly client: LabNode
  readonly lbs: readonly LabNode[]
  readonly webs: readonly LabNode[]
  readonly all: readonly LabNode[]
}

const port = (segment: 'lan' | 'srv', ifname: 'eth0' | 'eth1', host: number, node: string): Port =>
  ({ segment, ifname, addr: `${segment === 'lan' ? LAN_NET : SRV_NET}.${host}`, switchPort: `${segment}-${node}` })

/** Names and addresses of the lab called <prefix> (default "plab"). */
export function topology (prefix: string): Topology {
  const node = (name: string, ports: Port[]): LabNode => ({ name, ns: `${prefix}-${name}`, ports })
  const client = node('client', [port('lan', 'eth0', 10, 'client')])
  const lbs = LBS.map((name, i) => node(name, [port('lan', 'eth0', 11 + i, name), port('srv', 'eth1', 11 + i, name)]))
  const webs: LabNode[] = []
  for (let n = 1; n <= WEB_COUNT; n++) webs.push(node(`web${n}`, [port('srv', 'eth0', 20 + n, `web${n}`)]))
  return { prefix, switchNs: `${prefix}-switch`, client, lbs, webs, all: [client, ...lbs, ...webs] }
}

/** Every namespace of the lab, the switch first (it must exist before the veths). */
export function namespaces (t: Topology): string[] {
  return [t.switchNs, ...t.all.map(n => n.ns)]
}

export function nodeByName (t: Topology, name: string): LabNode | undefined {
  return t.all.find(n => n.name === name)
}

/** <prefix> must make valid, short namespace names: letters, digits, dash. */
export function validPrefix (prefix: string): boolean {
  return /^[a-z][a-z0-9-]{0,23}$/.test(prefix)
}
