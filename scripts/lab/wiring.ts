/** Builds and removes the lab's namespaces, bridges and veth pairs with iproute2.
 *  Every link is created directly inside a lab namespace (never in the host's),
 *  so deleting the namespaces removes every link too. */
import { spawnSync } from 'node:child_process'
import { VIP, namespaces, type LabNode, type Port, type Topology } from './topology.ts'

/** Runs <args>; throws with its stderr when it fails. */
export function sh (args: readonly string[]): string {
  const r = spawnSync(args[0]!, args.slice(1), { encoding: 'utf8', timeout: 10_000 })
  if (r.status !== 0) throw new Error(`${args.join(' ')}: ${r.stderr || r.error?.message || `exit ${r.status}`}`)
  return r.stdout
}

export function existingNamespaces (): string[] {
  return sh(['ip', 'netns', 'list']).split('\n').map(l => l.split(' ')[0]!).filter(Boolean)
}

function wirePort (t: Topology, n: LabNode, p: Port): void {
  sh(['ip', '-n', t.switchNs, 'link', 'add', p.switchPort, 'type', 'veth', 'peer', 'name', p.ifname, 'netns', n.ns])
  sh(['ip', '-n', t.switchNs, 'link', 'set', p.switchPort, 'master', p.segment, 'up'])
  sh(['ip', '-n', n.ns, 'addr', 'add', `${p.addr}/24`, 'dev', p.ifname])
  sh(['ip', '-n', n.ns, 'link', 'set', p.ifname, 'up'])
}

/** Creates the whole wiring of <t>. The lb namespaces may bind the VIP before
 *  they hold it (ip_nonlocal_bind), as HAProxy beside keepalived is set up. With
 *  <vm>, the lbs are VMs: no namespace, their TAPs are wired when they boot (vm.ts). */
export function buildWiring (t: Topology, vm: boolean): void {
  const nodes = vm ? t.all.filter(n => !t.lbs.includes(n)) : t.all
  for (const ns of [t.switchNs, ...nodes.map(n => n.ns)]) {
    sh(['ip', 'netns', 'add', ns])
    sh(['ip', '-n', ns, 'link', 'set', 'lo', 'up'])
  }
  for (const segment of ['lan', 'srv']) {
    sh(['ip', '-n', t.switchNs, 'link', 'add', segment, 'type', 'bridge'])
    sh(['ip', '-n', t.switchNs, 'link', 'set', segment, 'up'])
  }
  for (const n of nodes) for (const p of n.ports) wirePort(t, n, p)
  if (!vm) for (const lb of t.lbs) sh(['ip', 'netns', 'exec', lb.ns, 'sysctl', '-qw', 'net.ipv4.ip_nonlocal_bind=1'])
}

/** Deletes every namespace of <t> that exists (their links go with them). */
export function removeWiring (t: Topology): string[] {
  const present = new Set(existingNamespaces())
  const removed: string[] = []
  for (const ns of namespaces(t).reverse()) {
    if (!present.has(ns)) continue
    spawnSync('ip', ['netns', 'del', ns])
    removed.push(ns)
  }
  return removed
}

/** The switch end of <p>: pulling or plugging the cable. */
export function setCable (t: Topology, p: Port, up: boolean): void {
  sh(['ip', '-n', t.switchNs, 'link', 'set', p.switchPort, up ? 'up' : 'down'])
}

/** Both ends of every cable of <n> up/down (the node powered on/off). */
export function setNodeLinks (t: Topology, n: LabNode, up: boolean): void {
  for (const p of n.ports) {
    setCable(t, p, up)
    sh(['ip', '-n', n.ns, 'link', 'set', p.ifname, up ? 'up' : 'down'])
  }
}

/** Whether the switch end of <p> is up (false when it is gone: a VM powered off). */
export function cableUp (t: Topology, p: Port): boolean {
  const r = spawnSync('ip', ['-n', t.switchNs, 'link', 'show', p.switchPort], { encoding: 'utf8', timeout: 10_000 })
  return r.status === 0 && /[<,]UP[,>]/.test(r.stdout)
}

export function holdsVip (lb: LabNode): boolean {
  return sh(['ip', '-n', lb.ns, '-4', 'addr', 'show', 'dev', 'eth0']).includes(`inet ${VIP}/`)
}

/** A rebooted box has no VIP: removes one left behind by a killed VRRP engine. */
export function dropVip (lb: LabNode): void {
  if (holdsVip(lb)) sh(['ip', '-n', lb.ns, 'addr', 'del', `${VIP}/24`, 'dev', 'eth0'])
}
