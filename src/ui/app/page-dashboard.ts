import { h, mount, duration } from './dom.ts'
import { get } from './api.ts'
import { lineChart } from './chart.ts'

interface Status {
  version: string; uptimeMs: number; actconn: number; totalConns: number; totalReqs: number
  termCodes: Record<string, number>
  rates: { t: number; reqRate: number; connRate: number; errRate: number }[]
  backends: { name: string; servers: { name: string; status: string }[] }[]
  vrrp: { name: string; state: string; priority: number; master: string; vips: string[] }[] | null
  tuning: { profile: string; maxconn: number; bufsize: number; reasons: string[] } | null
  vrrpTransitions: { time: number; instance: string; from: string; to: string }[]
}

const card = (title: string, ...body: (Node | string)[]): HTMLElement => h('div', { class: 'card' }, h('h3', {}, title), ...body)

/** Traffic, errors by termination code, server states, uptime, version; refreshed every 2 s. */
export function dashboardPage (root: HTMLElement): () => void {
  const draw = (s: Status): void => {
    const last = s.rates[s.rates.length - 1] ?? { reqRate: 0, connRate: 0, errRate: 0 }
    const codes = Object.entries(s.termCodes).filter(([c]) => c !== '--').sort((a, b) => b[1] - a[1])
    mount(root,
      h('div', { class: 'cards' },
        card('Requests / s', h('div', { class: 'big', id: 'req-rate' }, String(last.reqRate)), lineChart(s.rates.map(r => r.reqRate), { width: 200, height: 50 })),
        card('Connections / s', h('div', { class: 'big', id: 'conn-rate' }, String(last.connRate)), lineChart(s.rates.map(r => r.connRate), { width: 200, height: 50 })),
        card('Totals', h('div', {}, `requests `, h('b', { id: 'total-reqs' }, String(s.totalReqs))), h('div', {}, `connections ${s.totalConns}, active ${s.actconn}`)),
        card('Errors by termination code', codes.length === 0 ? h('div', { class: 'mute' }, 'none') : h('table', {}, codes.map(([c, n]) => h('tr', {}, h('td', {}, c), h('td', {}, String(n)))))),
        card('Firmware', h('div', {}, `pocketlb ${s.version}`), h('div', { class: 'mute' }, `up ${duration(s.uptimeMs)}`)),
        card('VRRP', s.vrrp === null ? h('div', { class: 'mute', id: 'vrrp-card' }, 'not configured')
          : h('div', { id: 'vrrp-card' }, s.vrrp.map(v => h('div', {}, h('b', {}, `${v.name}: ${v.state}`), ` priority ${v.priority}, master ${v.master || '?'}, VIPs ${v.vips.join(' ')}`)),
            s.vrrpTransitions.map(t => h('div', { class: 'mute' }, `${new Date(t.time).toLocaleTimeString()} ${t.instance} ${t.from} → ${t.to}`)))),
        card('Tuning profile', s.tuning === null ? h('div', { class: 'mute' }, 'not configured')
          : h('div', { title: s.tuning.reasons.join('\n') }, h('b', {}, s.tuning.profile), ` maxconn ${s.tuning.maxconn}, bufsize ${s.tuning.bufsize}`, h('ul', { class: 'mute' }, s.tuning.reasons.slice(0, 4).map(r => h('li', {}, r)))))
      ),
      h('h2', {}, 'Servers'),
      h('div', { class: 'cards' }, s.backends.map(b => card(b.name, ...b.servers.map(sv => h('div', { class: 'srv', 'data-server': `${b.name}/${sv.name}` }, h('span', { class: `dot ${sv.status}`, title: sv.status }), `${sv.name} `, h('span', { class: 'mute' }, sv.status))))))
    )
  }
  let stopped = false
  const tick = (): void => { get<Status>('/api/status').then(s => { if (!stopped) draw(s) }).catch(() => {}) }
  tick()
  const t = setInterval(tick, 2000)
  return () => { stopped = true; clearInterval(t) }
}
