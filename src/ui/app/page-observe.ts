import { h, mount } from './dom.ts'
import { get, post, ApiError } from './api.ts'

interface State { available: boolean; on: boolean; httpPorts: number[]; tlsPorts: number[]; maxBody: number; capacity: number; relayed: number }
interface Timings { connect: number; firstByte: number; total: number }
interface Http { kind: 'http'; id: number; startedAt: number; client: string; server: string; method: string; host: string; path: string; status: number; reason: string; resBodySize: number; timings: Timings; error: string | null }
interface Tls { kind: 'tls'; id: number; startedAt: number; client: string; server: string; sni: string | null; bytesUp: number; bytesDown: number; durationMs: number }
type Summary = Http | Tls
interface Body { text: string; encoding?: 'base64' }
interface Detail extends Http { httpVersion: string; reqHeaders: [string, string][]; resHeaders: [string, string][]; reqBody: Body; resBody: Body; reqBodySize: number }

const MAX_ROWS = 500
const time = (ms: number): string => new Date(ms).toLocaleTimeString()
const ms = (n: number): string => n < 0 ? '–' : `${Math.round(n)}`

/** The filter box as query parameters: "method:POST status:4xx kind:tls" words, the rest is text */
function filterQuery (box: string): string {
  const q = new URLSearchParams()
  const text: string[] = []
  for (const word of box.trim().split(/\s+/).filter(Boolean)) {
    const m = /^(method|status|kind):(.+)$/i.exec(word)
    if (m) q.set(m[1]!.toLowerCase(), m[2]!)
    else text.push(word)
  }
  if (text.length) q.set('text', text.join(' '))
  return q.toString()
}

function headerTable (list: [string, string][]): HTMLElement {
  return h('table', { class: 'obs-headers' }, list.map(([n, v]) => h('tr', {}, h('th', {}, n), h('td', {}, v))))
}

function bodyBlock (title: string, b: Body, size: number): HTMLElement[] {
  if (size === 0) return []
  return [h('h4', {}, `${title} (${size} bytes${b.encoding === 'base64' ? ', binary: base64' : ''})`), h('pre', { class: 'obs-body' }, b.text)]
}

function detailView (d: Detail): HTMLElement[] {
  return [
    h('h3', { id: 'obs-detail-title' }, `${d.method} http://${d.host || d.server}${d.path} → ${d.status || 'no response'} ${d.reason}`),
    h('p', { class: 'mute', id: 'obs-detail-timings' }, `client ${d.client} · server ${d.server} · connect ${ms(d.timings.connect)} ms · first byte ${ms(d.timings.firstByte)} ms · total ${ms(d.timings.total)} ms${d.error === null ? '' : ` · ${d.error}`}`),
    h('h4', {}, 'Request headers'), headerTable(d.reqHeaders), ...bodyBlock('Request body', d.reqBody, d.reqBodySize),
    h('h4', {}, 'Response headers'), headerTable(d.resHeaders), ...bodyBlock('Response body', d.resBody, d.resBodySize)
  ]
}

/** Observe mode: the switch, HTTP exchanges live (filter, detail), HAR download, TLS flows. */
export function observePage (root: HTMLElement): () => void {
  const msg = h('p', { id: 'obs-msg' })
  const toggle = h('input', { type: 'checkbox', id: 'obs-switch', disabled: true })
  const state = h('span', { class: 'mute', id: 'obs-state' })
  const filter = h('input', { id: 'obs-filter', placeholder: 'host, path, client, SNI; method:POST status:4xx kind:tls', size: 48 })
  const httpRows = h('tbody', { id: 'obs-http' })
  const tlsRows = h('tbody', { id: 'obs-tls' })
  const detail = h('div', { id: 'obs-detail' })
  const har = h('a', { id: 'obs-har', href: '/api/observe/har', download: 'pocketlb.har' }, 'Download HAR')
  let es: EventSource | null = null

  const shown = (s: State): void => {
    toggle.checked = s.on
    toggle.disabled = !s.available
    state.textContent = !s.available
      ? 'not available: start pocketlb with --observe <pc-if>,<lan-if>'
      : `${s.on ? 'on' : 'off'} · HTTP ports ${s.httpPorts.join(', ')} · TLS ports ${s.tlsPorts.join(', ')} · bodies up to ${s.maxBody} bytes · last ${s.capacity} kept · ${s.relayed} connections relayed`
  }
  const refresh = (): void => { get<State>('/api/observe').then(shown, () => {}) }
  toggle.addEventListener('change', () => {
    post<State>('/api/observe', { on: toggle.checked }).then(s => { shown(s); msg.textContent = '' },
      (e: unknown) => { msg.className = 'err'; msg.textContent = e instanceof ApiError ? e.message : String(e); refresh() })
  })

  const open = (id: number): void => {
    get<Detail>(`/api/observe/exchanges/${id}`).then(d => mount(detail, detailView(d)), (e: unknown) => mount(detail, h('p', { class: 'err' }, String(e))))
  }
  const add = (c: Summary): void => {
    const rows = c.kind === 'http' ? httpRows : tlsRows
    rows.prepend(c.kind === 'http'
      ? h('tr', { 'data-id': c.id, class: 'obs-row', onclick: () => open(c.id) },
        [time(c.startedAt), c.client, c.method, c.host, c.path, c.status || (c.error ?? ''), c.resBodySize, ms(c.timings.total)].map(v => h('td', {}, v)))
      : h('tr', { 'data-id': c.id }, [time(c.startedAt), c.client, c.server, c.sni ?? '(none)', c.bytesUp, c.bytesDown, ms(c.durationMs)].map(v => h('td', {}, v))))
    while (rows.childElementCount > MAX_ROWS) rows.lastElementChild!.remove()
  }
  /** The stream opens first and its events wait for the list: none is lost or shown twice */
  const follow = (): void => {
    es?.close()
    httpRows.replaceChildren(); tlsRows.replaceChildren()
    const q = filterQuery(filter.value)
    let early: Summary[] | null = []
    let lastId = 0
    const source = es = new EventSource(`/api/observe/live?${q}`)
    source.onmessage = ev => {
      const c = JSON.parse(ev.data as string) as Summary
      if (early !== null) early.push(c)
      else if (c.id > lastId) add(c)
    }
    get<Summary[]>(`/api/observe/exchanges?limit=${MAX_ROWS}${q === '' ? '' : `&${q}`}`).then(list => {
      if (es !== source) return
      msg.textContent = ''
      for (const c of [...list, ...early!.filter(e => e.id > (list[list.length - 1]?.id ?? 0))]) { add(c); lastId = c.id }
      early = null
    }, (e: unknown) => { early = null; msg.className = 'err'; msg.textContent = `filter: ${e instanceof ApiError ? e.message : String(e)}` })
  }
  filter.addEventListener('change', follow)

  mount(root,
    h('div', { class: 'row' }, h('label', { class: 'switch' }, toggle, 'Observe'), state),
    msg,
    h('div', { class: 'row' }, filter, h('button', { id: 'obs-apply', onclick: follow }, 'Filter'), har),
    h('h2', {}, 'HTTP exchanges'),
    h('table', {}, h('thead', {}, h('tr', {}, ['Time', 'Client', 'Method', 'Host', 'Path', 'Status', 'Size', 'Total ms'].map(t => h('th', {}, t)))), httpRows),
    detail,
    h('h2', {}, 'TLS flows (not decrypted)'),
    h('table', {}, h('thead', {}, h('tr', {}, ['Time', 'Client', 'Server', 'SNI', 'Bytes up', 'Bytes down', 'Duration ms'].map(t => h('th', {}, t)))), tlsRows))
  refresh()
  follow()
  const timer = setInterval(refresh, 5000)
  return () => { clearInterval(timer); es?.close() }
}
