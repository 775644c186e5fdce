/** The lab's commands: up, fail, restore, down. Each reads and writes the state
 *  file, so they can run from separate `npm run lab` invocations. */
import { spawnSync } from 'node:child_process'
import { existsSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { proxyConfig, vrrpConfig } from './configs.ts'
import { ROOT, loadState, removeState, saveState, serviceAlive, startService, stateDir, stopService, tsxCommand, type LabState, type Service } from './services.ts'
import { clientGet, setupTokenPath, statsSocketPath, uiSocketPath, vipHolder } from './status.ts'
import { LB_PRIORITY, UI_PORT, namespaces, nodeByName, type LabNode, type LbName, type Topology } from './topology.ts'
import { buildWiring, dropVip, existingNamespaces, removeWiring, setCable, setNodeLinks } from './wiring.ts'
import { qemuArgv, vmCarrier, vmDisk, vmUnavailable, wireVm } from './vm.ts'

const sleep = (ms: number): Promise<void> => new Promise(resolve => setTimeout(resolve, ms))

/** Whether this pocketlb has the web UI flag (being added beside the lab). */
function hasUiFlag (): boolean {
  const [node, ...args] = tsxCommand('src/main.ts', '--help')
  const r = spawnSync(node!, args, { cwd: ROOT, encoding: 'utf8', timeout: 20_000 })
  return /--ui\b/.test(r.stdout + r.stderr)
}

/** Each lb's web UI on its LAN address, with its own store and its first-start token in a
 *  file; a forwarder pair carries the host's 127.0.0.1:<uiHostPorts[i]> to it (forward.ts). */
function labServices (t: Topology, dir: string, uiHostPorts: readonly number[]): Service[] {
  const out: Service[] = []
  t.lbs.forEach((lb, i) => {
    const ui = `${lb.ports[0]!.addr}:${UI_PORT}`
    const proxy = tsxCommand('src/main.ts', '-f', join(dir, `${lb.name}-haproxy.cfg`))
    const uiPort = uiHostPorts[i]
    if (uiPort === undefined) out.push({ name: `${lb.name}-proxy`, node: lb.name, ns: lb.ns, pid: 0, argv: proxy })
    else {
      const sock = uiSocketPath(dir, lb)
      out.push({ name: `${lb.name}-proxy`, node: lb.name, ns: lb.ns, pid: 0, argv: [...proxy, '--ui', ui, '--store', join(dir, `${lb.name}.db`)], env: { PLB_SETUP_TOKEN_FILE: setupTokenPath(dir, lb) } })
      out.push({ name: `${lb.name}-ui-forward`, node: lb.name, ns: lb.ns, pid: 0, argv: tsxCommand('scripts/lab/forward.ts', sock, ui) })
      out.push({ name: `${lb.name}-ui-host`, node: 'host', ns: '', pid: 0, argv: tsxCommand('scripts/lab/forward.ts', `127.0.0.1:${uiPort}`, sock) })
    }
    out.push({ name: `${lb.name}-vrrp`, node: lb.name, ns: lb.ns, pid: 0, argv: tsxCommand('src/main.ts', 'vrrp', '-f', join(dir, `${lb.name}-keepalived.conf`)) })
  })
  for (const w of t.webs) out.push({ name: w.name, node: w.name, ns: w.ns, pid: 0, argv: tsxCommand('scripts/lab/web.ts', w.name) })
  return out
}

/** The lab with each lb one QEMU process (the image, its /data holding the lb's files). */
function vmServices (t: Topology, dir: string, advert: number): Service[] {
  const vms = t.lbs.map(lb => {
    const disk = vmDisk(dir, lb, { 'pocketlb.cfg': proxyConfig(t, lb, '/run/pocketlb.sock', true), 'keepalived.conf': vrrpConfig(lb, advert, true) })
    return { name: `${lb.name}-vm`, node: lb.name, ns: '', pid: 0, argv: qemuArgv(t, lb, dir, disk) }
  })
  return [...vms, ...labServices(t, dir, []).filter(svc => !t.lbs.some(lb => lb.name === svc.node))]
}

/** Starts <svc>; a VM's TAPs are wired into the switch once QEMU made them. */
async function start (t: Topology, s: LabState, svc: Service): Promise<void> {
  startService(s, svc)
  const lb = s.vm ? t.lbs.find(n => n.name === svc.node) : undefined
  if (lb !== undefined) await wireVm(t, lb)
}

/** Polls <cond> every 250 ms for up to <ms>. */
async function until (cond: () => boolean, ms: number): Promise<boolean> {
  const end = Date.now() + ms
  while (Date.now() < end) { if (cond()) return true; await sleep(250) }
  return cond()
}

export interface UpOpts {
  readonly advert: number
  /** the lbs as the image under QEMU */
  readonly vm: boolean
  /** host loopback port of lb1's UI (lb2's is the next one) */
  readonly uiHostPort: number
  readonly log: (line: string) => void
}

/** Builds the lab, starts every process and waits until the client is answered through the VIP. */
export async function up (t: Topology, o: UpOpts): Promise<LabState> {
  const clash = namespaces(t).filter(ns => existingNamespaces().includes(ns))
  if (clash.length || loadState(t.prefix)) throw new Error(`lab "${t.prefix}" already exists (${clash.join(', ') || 'state file'}): run \`npm run lab -- down\` first`)
  const why = o.vm ? vmUnavailable() : null
  if (why !== null) throw new Error(`the lab under QEMU: ${why}`)
  const dir = stateDir(t.prefix)
  const ui = !o.vm && hasUiFlag()
  const uiHostPorts = ui ? t.lbs.map((_lb, i) => o.uiHostPort + i) : []
  const s: LabState = { prefix: t.prefix, dir, advert: o.advert, ui, uiHostPorts, vm: o.vm, services: [] }
  saveState(s)
  try {
    buildWiring(t, o.vm)
    s.services.push(...(o.vm ? vmServices(t, dir, o.advert) : labServices(t, dir, uiHostPorts)))
    if (!o.vm) {
      for (const lb of t.lbs) {
        writeFileSync(join(dir, `${lb.name}-haproxy.cfg`), proxyConfig(t, lb, statsSocketPath(s, lb)))
        writeFileSync(join(dir, `${lb.name}-keepalived.conf`), vrrpConfig(lb, o.advert))
      }
    }
    for (const svc of s.services) await start(t, s, svc)
    saveState(s)
    const bootS = o.vm ? 300 : 40
    o.log(`lab "${t.prefix}": ${s.services.length} processes started${o.vm ? ' (the lbs boot under QEMU)' : ''}; waiting for the VIP...`)
    // settled = the master by priority (the first lb) holds the VIP: another one may hold it for a moment at start
    const master = t.lbs[0]!.name
    if (!await until(() => vipHolder(t, s.vm)?.name === master && clientGet(t, 1) !== null, bootS * 1000)) throw new Error(`the client gets no answer through the VIP held by ${master} after ${bootS} s; logs in ${dir}`)
    if (ui && !await until(() => t.lbs.every(lb => existsSync(setupTokenPath(dir, lb))), 45_000)) throw new Error(`the web UIs did not start within 45 s; logs in ${dir}`)
  } catch (e) {
    await down(t)
    throw e
  }
  return s
}

function requireState (t: Topology): LabState {
  const s = loadState(t.prefix)
  if (!s) throw new Error(`no lab "${t.prefix}" is up (no state in ${stateDir(t.prefix)}): run \`npm run lab\` first`)
  return s
}

const servicesOf = (s: LabState, n: LabNode): Service[] => s.services.filter(svc => svc.node === n.name)

/** `fail master | backend <n> | link [<node> [lan|srv]]`; returns what was done. */
export async function fail (t: Topology, what: string[]): Promise<string> {
  const s = requireState(t)
  const [kind, arg, segment] = what
  if (kind === 'master') {
    const m = vipHolder(t, s.vm)
    if (!m) throw new Error('no lb holds the VIP right now: nothing to fail (see `status`)')
    for (const svc of servicesOf(s, m)) await stopService(svc, 'SIGKILL')
    if (!s.vm) {                                         // a killed QEMU takes its cables with it
      dropVip(m)
      setNodeLinks(t, m, false)
    }
    // Master_Down_Interval of the backup (rfc5798 §6.1): 3 adverts + skew (256 - priority) / 256 adverts
    const backupPriority = Math.min(...t.lbs.filter(lb => lb !== m).map(lb => LB_PRIORITY[lb.name as LbName]))
    const window = (3 + (256 - backupPriority) / 256) * s.advert
    return `${m.name} is off: its processes killed (no goodbye advert), its cables out. The other lb takes the VIP after ${window.toFixed(1)} s of silence.`
  }
  if (kind === 'backend') {
    const web = nodeByName(t, `web${arg ?? ''}`)
    if (!web || !t.webs.includes(web)) throw new Error(`fail backend <n>: n is 1..${t.webs.length}`)
    for (const svc of servicesOf(s, web)) await stopService(svc, 'SIGKILL')
    return `${web.name}'s server killed: the health checks mark it DOWN after 2 failed checks (about 2 s).`
  }
  if (kind === 'link') {
    const node = arg ? nodeByName(t, arg) : vipHolder(t, s.vm)
    if (!node) throw new Error(arg ? `no node '${arg}' (client, lb1, lb2, web1..)` : 'no lb holds the VIP: name the node, e.g. `fail link lb1`')
    const port = node.ports.find(p => p.segment === (segment ?? 'lan')) ?? node.ports[0]!
    setCable(t, port, false)
    if (s.vm && t.lbs.includes(node)) await vmCarrier(s.dir, node, port, false)
    return `${node.name}'s ${port.segment} cable pulled (${port.switchPort} down in the switch; ${node.name} sees no carrier on ${port.ifname}).`
  }
  throw new Error('fail what? master | backend <n> | link [<node> [lan|srv]]')
}

/** Every cable back in, every dead process restarted (a restarted lb boots without the VIP). */
export async function restore (t: Topology): Promise<string> {
  const s = requireState(t)
  const done: string[] = []
  for (const n of t.all) {
    if (!(s.vm && t.lbs.includes(n))) setNodeLinks(t, n, true)
    else if (servicesOf(s, n).every(serviceAlive)) {
      for (const p of n.ports) { setCable(t, p, true); await vmCarrier(s.dir, n, p, true) }
    }
  }
  for (const n of t.all) {
    const dead = servicesOf(s, n).filter(svc => !serviceAlive(svc))
    if (!dead.length) continue
    if (!s.vm && t.lbs.includes(n) && dead.some(svc => svc.name.endsWith('-vrrp'))) dropVip(n)
    for (const svc of dead) { await start(t, s, svc); done.push(svc.name) }
  }
  saveState(s)
  return `every cable in${done.length ? `; restarted ${done.join(', ')}` : '; every process was running'}`
}

/** Stops every lab process (SIGTERM: a VRRP master says goodbye), deletes the
 *  namespaces (links go with them) and the state. Safe to run twice. */
export async function down (t: Topology): Promise<string> {
  const s = loadState(t.prefix)
  if (s) await Promise.all(s.services.map(svc => stopService(svc, 'SIGTERM')))
  const removed = removeWiring(t)
  if (s) removeState(s)
  else if (existsSync(stateDir(t.prefix))) removeState({ prefix: t.prefix, dir: stateDir(t.prefix), advert: 1, ui: false, uiHostPorts: [], vm: false, services: [] })
  return `lab "${t.prefix}" down: ${s ? s.services.length : 0} processes stopped, ${removed.length} namespaces removed`
}
