import { h, mount, duration } from './dom.ts'
import { get } from './api.ts'
import { lineChart } from './chart.ts'

interface Status {
  version: string; uptimeMs: number; actconn: number; totalConns: number; totalReqs: number
  termCodes: Record<string, number>
  rates: { t: number; reqRate: number; connRate: number; errRate: number }[]
  backends: { name: string; servers: { name: string; status: string }[] }[]
  vrrp: Vrrp[] | null
  tuning: { profile: string; maxconn: number; bufsize: number; ramMiB: number; heapMiB: number; connBudgetMiB: number; checkIntervalFactor: number; reasons: string[] } | null
  power: { source: string; batteryPercent: number | null; batteryStatus: string | null; from: 'live' | 'start'; board: string | null }
  vrrpTransitions: { time: number; instance: string; from: string; to: string }[]
}

interface Vrrp { name: string; state: string; priority: number; master: string; masterPriority: number; vips: string[] }

/** The peer's role as this node sees it: a master announces itself; backups stay silent. */
function peerRole (v: Vrrp): string {
  if (v.state === 'MASTER') return 'peer: BACKUP (silent while this node is master)'
  if (v.state === 'BACKUP' && v.master !== '') return `peer ${v.master}: MASTER (priority ${v.masterPriority})`
  return 'peer: expected to take over'
}

const SOURCES: Record<string, string> = { mains: 'AC adapter', usb: 'USB', battery: 'Battery', unknown: 'unknown' }

function powerCard (p: Status['power']): HTMLElement {
  const level = p.batteryPercent === null ? null : h('div', {}, h('meter', { min: 0, max: 100, low: 20, optimum: 100, value: p.batteryPercent }), ` battery ${p.batteryPercent} %${p.batteryStatus ? ` (${p.batteryStatus.toLowerCase()})` : ''}`)
  return card('Power', h('div', { id: 'power-card' }, h('div', { class: 'big', id: 'power-source' }, SOURCES[p.source] ?? p.source), level,
    h('div', { class: 'mute' }, p.from === 'live' ? 'read from the power supplies now' : 'as read at start for the tuning profile', p.board === null ? '' : `, board ${p.board}`)))
}

function tuningCard (t: Status['tuning']): HTMLElement {
  if (t === null) return card('Tuning profile', h('div', { class: 'mute', id: 'tuning-card' }, 'not configured'))
  return card('Tuning profile', h('div', { id: 'tuning-card', title: t.reasons.join('\n') }, h('div', { class: 'big' }, t.profile),
    h('table', {}, ([['maxconn', t.maxconn], ['buffer size', `${t.bufsize} B`], ['RAM assumed', `${t.ramMiB} MiB`], ['connection budget', `${t.connBudgetMiB} MiB`],
      ['V8 heap', `${t.heapMiB} MiB`], ['check intervals', `×${t.checkIntervalFactor}`]] as const).map(([k, v]) => h('tr', {}, h('th', {}, k), h('td', {}, String(v)))))))
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
          : h('div', { id: 'vrrp-card' }, s.vrrp.map(v => h('div', {}, h('b', {}, `${v.name}: ${v.state}`), ` priority ${v.priority}, VIPs ${v.vips.join(' ')}`, h('div', { class: 'peer' }, peerRole(v)))),
            s.vrrpTransitions.map(t => h('div', { class: 'mute' }, `${new Date(t.time).toLocaleTimeString()} ${t.instance} ${t.from} → ${t.to}`)))),
        powerCard(s.power),
        tuningCard(s.tuning)
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
