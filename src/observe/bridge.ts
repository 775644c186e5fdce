/** Joins the two ports into one bridge for observe mode: the link that stays up
 *  whether observe is on or off. Ports already in one bridge (set up by the image,
 *  or a previous run) are used as they are. Otherwise a bridge is made: it takes
 *  the LAN port's MAC address (the node keeps its DHCP lease and neighbours'
 *  caches), the ports' addresses and their routes through a gateway, so the node
 *  stays reachable at the same addresses. */
import { readlinkSync } from 'node:fs'
import { basename } from 'node:path'
import { spawnSync } from 'node:child_process'

function ip (...args: string[]): string {
  const r = spawnSync('ip', args, { encoding: 'utf8', timeout: 10_000 })
  if (r.status !== 0) throw new Error(`ip ${args.join(' ')}: ${(r.stderr || r.error?.message || `exit ${r.status}`).trim()}`)
  return r.stdout
}

function masterOf (dev: string): string | null {
  try { return basename(readlinkSync(`/sys/class/net/${dev}/master`)) } catch { return null }
}

interface AddrInfo { family: 'inet' | 'inet6'; local: string; prefixlen: number; scope: string }
interface RouteInfo { dst: string; gateway?: string }

/** Moves <dev>'s global addresses and gateway routes (both families) to <bridge>. */
function moveAddresses (dev: string, bridge: string): void {
  const [link] = JSON.parse(ip('-j', 'addr', 'show', 'dev', dev)) as Array<{ addr_info: AddrInfo[] }>
  const routes = ['-4', '-6'].flatMap(f => (JSON.parse(ip('-j', f, 'route', 'show', 'dev', dev)) as RouteInfo[]).map(r => ({ f, ...r })))
  for (const a of link?.addr_info ?? []) {
    if (a.scope !== 'global') continue
    ip('addr', 'del', `${a.local}/${a.prefixlen}`, 'dev', dev)
    ip('addr', 'add', `${a.local}/${a.prefixlen}`, 'dev', bridge, ...(a.family === 'inet6' ? ['nodad'] : []))
  }
  for (const r of routes) if (r.gateway !== undefined) ip(r.f, 'route', 'replace', r.dst, 'via', r.gateway, 'dev', bridge)
}

/** The bridge joining <pcPort> and <lanPort>, made as <name> when they are not in one. */
export function bridgePorts (pcPort: string, lanPort: string, name: string): string {
  const masters = [masterOf(pcPort), masterOf(lanPort)]
  if (masters[0] !== null && masters[0] === masters[1]) return masters[0]
  const foreign = masters.find(m => m !== null && m !== name)
  if (foreign !== undefined) throw new Error(`observe: a port is already in bridge ${foreign}, without the other one`)
  if (spawnSync('ip', ['link', 'show', 'dev', name], { timeout: 10_000 }).status !== 0) {
    const [lan] = JSON.parse(ip('-j', 'link', 'show', 'dev', lanPort)) as Array<{ address: string }>
    ip('link', 'add', name, 'address', lan!.address, 'type', 'bridge')
  }
  ip('link', 'set', name, 'up')
  for (const dev of [lanPort, pcPort]) {
    if (masterOf(dev) === name) continue
    moveAddresses(dev, name)
    ip('link', 'set', dev, 'master', name, 'up')
  }
  return name
}
