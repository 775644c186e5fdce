/** What the lab looks like right now: who holds the VIP, each node's cables and
 *  processes, each proxy's view of the webs (its runtime API), a client request. */
import { spawnSync } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { connect } from 'node:net'
import { join } from 'node:path'
import { cableUp, holdsVip } from './wiring.ts'
import { vipHolderByArp } from './vm.ts'
import { logFile, serviceAlive, type LabState, type Service } from './services.ts'
import { STATS_PORT, UI_PORT, VIP, type LabNode, type Topology } from './topology.ts'

/** GET http://<VIP>/ from the client namespace: the body, or null when unanswered within <timeoutS>. */
export function clientGet (t: Topology, timeoutS = 2): string | null {
  const r = spawnSync('ip', ['netns', 'exec', t.client.ns, 'curl', '-sf', '-m', String(timeoutS), `http://${VIP}/`],
    { encoding: 'utf8', timeout: (timeoutS + 3) * 1000 })
  return r.status === 0 ? r.stdout : null
}

/** The lb holding the VIP, or null (during a failover, or all down). VMs (<vm>) are
 *  asked from outside: which one answers ARP for the VIP. */
export function vipHolder (t: Topology, vm = false): LabNode | null {
  return vm ? vipHolderByArp(t) : t.lbs.find(lb => holdsVip(lb)) ?? null
}

export const statsSocketPath = (s: LabState, lb: LabNode): string => join(s.dir, `${lb.name}.sock`)
export const uiSocketPath = (dir: string, lb: LabNode): string => join(dir, `${lb.name}-ui.sock`)
/** Where lb's pocketlb writes the one-time setup token of its UI's first start */
export const setupTokenPath = (dir: string, lb: LabNode): string => join(dir, `${lb.name}-setup-token`)

/** "http://127.0.0.1:9101/ (lb1, setup token …)" for each lb: the UIs from the host's browser */
export function uiLines (t: Topology, s: LabState): string[] {
  return t.lbs.map((lb, i) => {
    let token = ''
    try { token = readFileSync(setupTokenPath(s.dir, lb), 'utf8').trim() } catch { /* not written (yet), or the admin exists */ }
    return `  http://127.0.0.1:${s.uiHostPorts[i]}/  ${lb.name}${token ? `, setup token ${token} (first start: sets the admin password)` : ''}`
  })
}

/** Last state the VRRP engine of <svc> announced in its log ("MASTER", "BACKUP", "FAULT") or "". */
export function vrrpState (s: LabState, svc: Service): string {
  let text = ''
  try { text = readFileSync(logFile(s, svc), 'utf8') } catch { return '' }
  const all = [...text.matchAll(/Entering (\w+) STATE/g)]
  return all.length ? all[all.length - 1]![1]! : ''
}

/** "web1 UP, web2 DOWN ..." from `show stat` on the proxy's stats socket at <path>, or why not. */
export function serverStates (path: string): Promise<string> {
  return new Promise(resolve => {
    let csv = ''
    const sock = connect(path)
    const timer = setTimeout(() => { sock.destroy(); resolve('(no answer from the runtime API)') }, 2000)
    sock.on('connect', () => sock.write('show stat\n'))
    sock.on('data', d => { csv += d.toString() })
    sock.on('error', () => { clearTimeout(timer); resolve('(runtime API unreachable)') })
    sock.on('close', () => {
      clearTimeout(timer)
      const rows = csv.split('\n').filter(l => l && !l.startsWith('#')).map(l => l.split(','))
      resolve(rows.filter(r => r[0] === 'webs' && r[1] !== 'FRONTEND' && r[1] !== 'BACKEND').map(r => `${r[1]} ${r[17]}`).join(', '))
    })
  })
}

/** The namespace of <n>, or "VM" for an lb booted under QEMU */
const place = (t: Topology, s: LabState, n: LabNode): string => (s.vm && t.lbs.includes(n) ? 'VM' : n.ns).padEnd(t.prefix.length + 8)

export async function statusText (t: Topology, s: LabState): Promise<string> {
  const out: string[] = [`pocketlb lab "${t.prefix}" (state and logs in ${s.dir})`]
  const holder = vipHolder(t, s.vm)
  out.push(`VIP ${VIP}: ${holder ? `held by ${holder.name}` : 'held by nobody'}`)
  for (const n of t.all) {
    const cables = n.ports.map(p => `${p.ifname} ${p.addr} cable ${cableUp(t, p) ? 'in' : 'OUT'}`).join(', ')
    const procs = s.services.filter(svc => svc.node === n.name).map(svc => {
      const alive = serviceAlive(svc)
      const vrrp = /-(vrrp|vm)$/.test(svc.name) && alive ? ` ${vrrpState(s, svc) || 'INIT'}` : ''
      return `${svc.name} ${alive ? `pid ${svc.pid}${vrrp}` : 'DEAD'}`
    })
    out.push(`  ${n.name.padEnd(6)} ${place(t, s, n)} ${cables}${procs.length ? `; ${procs.join(', ')}` : ''}`)
  }
  for (const lb of t.lbs) {
    const proxy = s.services.find(svc => svc.name === `${lb.name}-proxy`)
    if (proxy && serviceAlive(proxy)) out.push(`  servers as ${lb.name} sees them: ${await serverStates(statsSocketPath(s, lb))}`)
  }
  if (s.ui) out.push('Web UI from this PC\'s browser:', ...uiLines(t, s))
  const answer = clientGet(t)
  out.push(`client → http://${VIP}/: ${answer === null ? 'NO ANSWER' : answer.trim()}`)
  return out.join('\n')
}

/** Where to look, printed after `up`. */
export function whereText (t: Topology, s: LabState): string {
  const lines = [
    'Nodes (enter one with: ip netns exec <namespace> bash):',
    ...t.all.map(n => `  ${n.name.padEnd(6)} ${place(t, s, n)} ${n.ports.map(p => p.addr).join(', ')}`),
    `Stats pages: ${t.lbs.map(lb => `http://${lb.ports[0]!.addr}:${STATS_PORT}/stats (${lb.name})`).join(', ')}`,
    `  (addresses inside the lab: e.g. ip netns exec ${t.client.ns} curl http://${t.lbs[0]!.ports[0]!.addr}:${STATS_PORT}/stats)`,
    ...(s.ui
      ? ['Web UI from this PC\'s browser (forwarded to each lb\'s ' + `:${UI_PORT}):`, ...uiLines(t, s)]
      : [s.vm ? 'Web UI: not in the VMs (the image serves it on port 80, where the lab\'s proxy listens)' : 'Web UI: not in this build (pocketlb --help lists no --ui); the stats pages show the same servers']),
    s.vm
      ? `The lbs are the image under QEMU: serial consoles in ${t.lbs.map(lb => `${s.dir}/${lb.name}-vm.log`).join(', ')}`
      : `Runtime API: ${t.lbs.map(lb => `socat - ${statsSocketPath(s, lb)}`).join(' | ')}`,
    `Logs: ${s.dir}/*.log`,
    '',
    'Try first:',
    `  ip netns exec ${t.client.ns} curl http://${VIP}/`,
    `  npm run lab -- status${t.prefix === 'plab' ? '' : `   (with PLB_LAB_PREFIX=${t.prefix})`}`,
    '  npm run lab -- fail master     then: restore, fail backend 2, fail link, down'
  ]
  return lines.join('\n')
}
