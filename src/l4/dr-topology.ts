/** Where lb_kind DR services receive and send their packets. DR only changes the
 *  destination MAC, so a service is possible only when every real server sits on
 *  a directly connected subnet of the interface the VIP arrives on. That
 *  interface is the one holding the VIP now, or (on a VRRP backup, where the VIP
 *  is elsewhere) the one whose connected subnet contains it. Pure except
 *  readIpv4Addresses(), which asks `ip` (it also lists the addresses of a link
 *  without carrier, which os.networkInterfaces() leaves out), without blocking:
 *  it runs at each apply, beside the proxy. */
import { execFile } from 'node:child_process'
import type { L4Endpoint, VirtualServerPlan } from './plan.ts'
import { whereText } from '../core/where.ts'

/** One IPv4 address of an interface, as `ip -j -4 addr` lists it. */
export interface InterfaceAddress { readonly dev: string; readonly addr: string; readonly prefix: number }

/** Interface of each DR service by VirtualServerPlan.key. */
export type DrLinks = ReadonlyMap<string, string>

export interface DrTopology { readonly links: DrLinks; readonly alerts: readonly string[] }

const toInt = (a: string): number => a.split('.').reduce((n, o) => n * 256 + Number(o), 0)

function inSubnet (addr: string, net: InterfaceAddress): boolean {
  const size = 2 ** (32 - net.prefix)
  return Math.floor(toInt(addr) / size) === Math.floor(toInt(net.addr) / size)
}

/** A subnet with room for other hosts (a /32 such as a VIP is not a link). */
const onLink = (addr: string, a: InterfaceAddress): boolean => a.prefix < 32 && a.addr !== addr && inSubnet(addr, a)

function vipDevice (vip: string, addrs: readonly InterfaceAddress[]): string | null {
  return addrs.find(a => a.addr === vip && a.dev !== 'lo')?.dev ?? addrs.find(a => a.dev !== 'lo' && onLink(vip, a))?.dev ?? null
}

/** The interface of each DR service of <plans>, or the reasons it has none (file:line). */
export function drTopology (plans: readonly VirtualServerPlan[], addrs: readonly InterfaceAddress[]): DrTopology {
  const links = new Map<string, string>(); const alerts: string[] = []
  for (const vs of plans) {
    if (vs.kind !== 'DR') continue
    const devs = new Set(vs.addresses.map(a => vipDevice(a.addr, addrs)))
    const [dev] = devs
    if (devs.size !== 1 || !dev) {
      alerts.push(`${whereText(vs.where)}: virtual_server ${vs.name}: lb_kind DR needs the VIP on one interface of this node or in one of its directly connected subnets (found ${[...devs].map(x => x ?? 'none').join(', ')})`)
      continue
    }
    const servers: [string, L4Endpoint, VirtualServerPlan['where']][] = vs.realServers.map(rs => ['real_server', rs, rs.where])
    if (vs.sorryServer) servers.push(['sorry_server', vs.sorryServer, vs.where])
    const before = alerts.length
    for (const [what, ep, where] of servers) {
      if (addrs.some(a => a.dev === dev && onLink(ep.addr, a))) continue
      alerts.push(`${whereText(where)}: ${what} ${ep.addr}: lb_kind DR needs it on a directly connected subnet of ${dev} (the interface of VIP ${vs.addresses[0]!.addr}): ` +
        'DR only rewrites the destination MAC, so the real server must share that link; use lb_kind NAT to reach routed servers')
    }
    if (alerts.length === before) links.set(vs.key, dev)
  }
  return { links, alerts }
}

/** This node's IPv4 addresses (`ip -j -4 addr show`); empty when `ip` fails. */
export function readIpv4Addresses (): Promise<InterfaceAddress[]> {
  return new Promise(resolve => {
    execFile('ip', ['-j', '-4', 'addr', 'show'], { encoding: 'utf8', timeout: 5000 }, (err, stdout) => {
      if (err !== null) { resolve([]); return }
      const doc = JSON.parse(stdout) as { ifname: string; addr_info?: { family: string; local: string; prefixlen: number }[] }[]
      resolve(doc.flatMap(i => (i.addr_info ?? []).filter(a => a.family === 'inet').map(a => ({ dev: i.ifname, addr: a.local, prefix: a.prefixlen }))))
    })
  })
}

/** The interfaces of the DR services of <plans> on this node now; rejects with the reasons when one has none. */
export async function resolveDrLinks (plans: readonly VirtualServerPlan[]): Promise<DrLinks> {
  if (!plans.some(vs => vs.kind === 'DR')) return new Map()
  const t = drTopology(plans, await readIpv4Addresses())
  if (t.alerts.length) throw new Error(t.alerts.join('; '))
  return t.links
}
