import { h, mount, duration } from './dom.ts'
import { get, post, ApiError } from './api.ts'

interface System {
  version: string; node: string; pid: number; uptimeMs: number; systemUptimeMs: number; listeners: { key: string; port: number }[]; ui: string
  frontends: { name: string; binds: string[] }[]; interfaces: { name: string; mac: string; addresses: string[] }[]; appliance: boolean
}

/** Reboot after a confirmation; disabled (with the reason) when pocketlb does not run as the appliance. */
function rebootButton (appliance: boolean): HTMLElement {
  const msg = h('span', { id: 'reboot-msg' })
  const reboot = (): void => {
    if (!confirm('Reboot the device now? Traffic stops until it is back (about a minute); the peer takes over the VIPs if VRRP is configured.')) return
    post('/api/system/reboot').then(() => { msg.className = 'okmsg'; msg.textContent = 'Rebooting… open this page again in about a minute.' },
      (e: unknown) => { msg.className = 'err'; msg.textContent = e instanceof ApiError ? e.message : String(e) })
  }
  return h('div', { class: 'row' }, h('button', { id: 'btn-reboot', onclick: reboot, disabled: !appliance, title: appliance ? undefined : 'only on the appliance' }, 'Reboot'),
    appliance ? '' : h('span', { class: 'mute' }, 'Reboot is only available on the appliance; here pocketlb runs as a program.'), msg)
}

/** Ports and addresses, version, backup/restore of the configuration, audit trail. */
export function systemPage (root: HTMLElement): () => void {
  const msg = h('p', { id: 'sys-msg' })
  const file = h('input', { type: 'file', id: 'restore-file', accept: '.cfg,text/plain' })
  const restore = (): void => {
    const f = file.files?.[0]
    if (f === undefined) return
    void f.text().then(text => post<{ applied: boolean; error?: string; alerts: string[] }>('/api/system/restore', { text })).then(r => {
      msg.className = r.applied ? 'okmsg' : 'err'
      msg.textContent = r.applied ? 'Configuration restored and applied.' : `Not restored: ${r.error ?? r.alerts.join(' ')}`
    }, (e: unknown) => { msg.className = 'err'; msg.textContent = e instanceof ApiError ? e.message : String(e) })
  }
  Promise.all([get<System>('/api/system'), get<{ time: number; user: string; action: string; detail: string }[]>('/api/audit')]).then(([s, audit]) => mount(root,
    h('h2', {}, 'System'),
    h('table', {},
      h('tr', {}, h('th', {}, 'Firmware'), h('td', { id: 'sys-version' }, `pocketlb ${s.version} (Node ${s.node})`)),
      h('tr', {}, h('th', {}, 'Uptime'), h('td', { id: 'sys-uptime' }, `pocketlb ${duration(s.uptimeMs)}, system ${duration(s.systemUptimeMs)}`)),
      h('tr', {}, h('th', {}, 'Web UI'), h('td', { id: 'sys-ui' }, s.ui)),
      h('tr', {}, h('th', {}, 'Listening'), h('td', { id: 'sys-listening' }, s.listeners.map(l => `${l.key} (port ${l.port})`).join(', ')))),
    h('h3', {}, 'Ports and addresses'),
    h('table', { id: 'sys-interfaces' }, h('tr', {}, h('th', {}, 'Interface'), h('th', {}, 'MAC'), h('th', {}, 'Addresses')),
      s.interfaces.map(i => h('tr', { 'data-if': i.name }, h('td', {}, i.name), h('td', { class: 'mute' }, i.mac), h('td', {}, i.addresses.join(', '))))),
    h('h3', {}, 'Reboot'),
    rebootButton(s.appliance),
    h('h3', {}, 'Backup and restore'),
    h('div', { class: 'row' }, h('a', { href: '/api/system/backup', download: 'pocketlb.cfg' }, 'Download the running configuration'), file, h('button', { onclick: restore }, 'Restore')), msg,
    h('h3', {}, 'Audit trail'),
    h('table', {}, audit.map(a => h('tr', {}, h('td', {}, new Date(a.time).toLocaleString()), h('td', {}, a.user), h('td', {}, a.action), h('td', {}, a.detail))))
  ), () => {})
  return () => {}
}
