import { h, mount } from './dom.ts'
import { get } from './api.ts'

interface Real {
  addr: string; port: number; weight: number; effectiveWeight: number; up: boolean; inhibited: boolean
  flows: number; packets: number; bytes: number; checks: { checker: string; lastStatus: string; lastInfo: string }[]
}
interface Service {
  name: string; kind: 'NAT' | 'DR'; protocol: string; algo: string; addresses: { addr: string; port: number }[]; persistenceTimeout: number
  sorryServer: Real | null; sorryActive: boolean; realServers: Real[]
}

function serverRow (service: string, r: Real, label: string): HTMLElement {
  const state = r.up ? 'UP' : 'DOWN'
  return h('tr', { 'data-real': `${service}/${r.addr}:${r.port}` },
    h('td', {}, label), h('td', {}, `${r.addr}:${r.port}`),
    h('td', {}, h('span', { class: `dot ${state}` }), h('span', { class: 'status' }, r.inhibited ? 'DOWN (inhibited)' : state)),
    h('td', {}, `${r.effectiveWeight} / ${r.weight}`), h('td', {}, String(r.flows)), h('td', {}, String(r.packets)), h('td', {}, String(r.bytes)),
    h('td', { class: 'mute' }, r.checks.map(c => `${c.checker} ${c.lastStatus}${c.lastInfo ? ` (${c.lastInfo})` : ''}`).join(', ')))
}

/** The kernel's virtual services (keepalived virtual_server programmed in nftables): real servers, state, weight, counters. */
export function l4Page (root: HTMLElement): () => void {
  let stopped = false
  const draw = (v: { configured: boolean; services: Service[] }): void => {
    if (!v.configured) {
      mount(root, h('h2', {}, 'L4 (kernel)'), h('div', { id: 'l4-off' },
        h('p', {}, 'No kernel L4 service is configured.'),
        h('p', { class: 'mute' }, 'virtual_server blocks in the keepalived configuration (/data/keepalived.conf, or --vrrp) are balanced by the kernel: TCP or UDP forwarded by nftables, pocketlb only checks the real servers.')))
      return
    }
    mount(root, h('h2', {}, 'L4 (kernel)'), v.services.map(s => h('div', { class: 'card', 'data-service': s.name },
      h('h3', {}, s.name),
      h('p', {}, `${s.protocol.toUpperCase()} on ${s.addresses.map(a => `${a.addr}:${a.port}`).join(', ')}, lb_algo ${s.algo}, lb_kind ${s.kind}${s.persistenceTimeout ? `, persistence ${s.persistenceTimeout / 1000} s` : ''}` +
        (s.kind === 'DR' ? ' (packets and bytes: client to server only, the replies go straight to the client)' : '')),
      h('table', {}, h('tr', {}, ['', 'Real server', 'State', 'Weight (now / configured)', 'Flows', 'Packets', 'Bytes', 'Checks'].map(t => h('th', {}, t))),
        s.realServers.map(r => serverRow(s.name, r, 'real')),
        s.sorryServer === null ? null : serverRow(s.name, s.sorryServer, s.sorryActive ? 'sorry (active)' : 'sorry')))))
  }
  const tick = (): void => { get<{ configured: boolean; services: Service[] }>('/api/l4').then(v => { if (!stopped) draw(v) }).catch(() => {}) }
  tick()
  const t = setInterval(tick, 2000)
  return () => { stopped = true; clearInterval(t) }
}
