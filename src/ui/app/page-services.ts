import { h, mount } from './dom.ts'
import { get, post, ApiError } from './api.ts'

interface Server { name: string; address: string; status: string; weight: number; cur: number; total: number; backup: boolean; checked: boolean }
interface Services {
  frontends: { name: string; mode: string; binds: string[]; cur: number; total: number; requests: number }[]
  backends: { name: string; mode: string; balance: string; cur: number; total: number; queue: number; servers: Server[] }[]
}
interface Explain { frontend: string | null; steps: { rule: string; matched: boolean; effect: string }[]; verdict: string; backend: string | null; server: string | null; note: string }

/** Frontends, backends and servers with live actions, and "why does this request go there". */
export function servicesPage (root: HTMLElement): () => void {
  const msg = h('p', { id: 'svc-msg' })
  const tables = h('div')
  const act = (be: string, srv: string, body: object): void => {
    post(`/api/servers/${encodeURIComponent(be)}/${encodeURIComponent(srv)}`, body)
      .then(() => { msg.className = 'okmsg'; msg.textContent = `${be}/${srv}: done`; load() },
        (e: unknown) => { msg.className = 'err'; msg.textContent = e instanceof ApiError ? e.message : String(e) })
  }
  const serverRow = (be: string, s: Server): HTMLElement => {
    const weight = h('input', { type: 'number', min: 0, max: 256, value: s.weight, style: 'width:5em' })
    return h('tr', { 'data-server': `${be}/${s.name}` },
      h('td', {}, h('span', { class: `dot ${s.status}` }), s.name, s.backup ? ' (backup)' : ''),
      h('td', {}, s.address), h('td', { class: 'status' }, s.status), h('td', {}, String(s.cur)), h('td', { class: 'total' }, String(s.total)),
      h('td', {},
        h('button', { class: 'act-ready', onclick: () => act(be, s.name, { state: 'ready' }) }, 'Ready'), ' ',
        h('button', { class: 'act-drain', onclick: () => act(be, s.name, { state: 'drain' }) }, 'Drain'), ' ',
        h('button', { class: 'act-maint', onclick: () => act(be, s.name, { state: 'maint' }) }, 'Maint'), ' ',
        weight, h('button', { onclick: () => act(be, s.name, { weight: Number(weight.value) }) }, 'Set weight')))
  }
  const load = (): void => {
    get<Services>('/api/services').then(s => mount(tables,
      h('h2', {}, 'Frontends'),
      h('table', {}, h('tr', {}, ['Name', 'Mode', 'Binds', 'Current', 'Sessions', 'Requests'].map(t => h('th', {}, t))),
        s.frontends.map(f => h('tr', {}, h('td', {}, f.name), h('td', {}, f.mode), h('td', {}, f.binds.join(' ')), h('td', {}, String(f.cur)), h('td', {}, String(f.total)), h('td', {}, String(f.requests))))),
      ...s.backends.map(b => h('div', {},
        h('h2', {}, `Backend ${b.name} `, h('span', { class: 'mute' }, `${b.mode}, balance ${b.balance}, queue ${b.queue}`)),
        h('table', {}, h('tr', {}, ['Server', 'Address', 'Status', 'Current', 'Total', 'Actions'].map(t => h('th', {}, t))), b.servers.map(sv => serverRow(b.name, sv)))))
    ), () => {})
  }
  load()
  const timer = setInterval(load, 3000)

  const url = h('input', { id: 'explain-url', placeholder: '/path?query or http://host/path', style: 'width:24em', value: '/' })
  const method = h('select', { id: 'explain-method' }, ['GET', 'POST', 'PUT', 'DELETE', 'HEAD'].map(m => h('option', {}, m)))
  const headers = h('textarea', { id: 'explain-headers', rows: 3, cols: 50, placeholder: 'Host: example.com\nUser-Agent: demo' })
  const out = h('div', { id: 'explain-out' })
  const explain = (): void => {
    const hs = headers.value.split('\n').map(l => l.split(/:(.*)/s)).filter(p => p.length >= 2 && p[0].trim() !== '').map(p => [p[0].trim(), (p[1] ?? '').trim()])
    post<Explain>('/api/explain', { method: method.value, url: url.value, headers: hs }).then(r => mount(out,
      h('p', {}, 'Verdict: ', h('b', { id: 'explain-verdict' }, r.verdict), r.backend === null ? '' : ` → backend `, r.backend === null ? '' : h('b', { id: 'explain-backend' }, r.backend),
        r.server === null ? '' : ' server ', r.server === null ? '' : h('b', { id: 'explain-server' }, r.server)),
      h('p', { class: 'mute' }, r.note),
      h('table', {}, h('tr', {}, h('th', {}, 'Rule'), h('th', {}, 'Matched'), h('th', {}, 'Effect')), r.steps.map(s => h('tr', {}, h('td', {}, s.rule), h('td', {}, s.matched ? 'yes' : 'no'), h('td', {}, s.effect))))
    ), (e: unknown) => mount(out, h('p', { class: 'err' }, String(e))))
  }
  mount(root, msg, tables, h('h2', {}, 'Why does this request go there?'),
    h('div', { class: 'row' }, method, url, h('button', { id: 'explain-go', onclick: explain }, 'Explain')), headers, out)
  return () => clearInterval(timer)
}
