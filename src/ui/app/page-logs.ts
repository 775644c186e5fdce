import { h, mount } from './dom.ts'
import { get } from './api.ts'

interface Entry { time: number; client: string; frontend: string; backend: string; server: string; status: number; termState: string; Tt: number; bytesOut: number; request: string }

const MAX_LINES = 500

function line (e: Entry): string {
  return `${new Date(e.time).toLocaleTimeString()} ${e.client} ${e.frontend} ${e.backend}/${e.server} ${e.Tt}ms ${e.status} ${e.bytesOut} ${e.termState} "${e.request}"`
}

/** Live tail over Server-Sent Events with filters (status, backend, termination code, client). */
export function logsPage (root: HTMLElement): () => void {
  const box = h('div', { class: 'log', id: 'log-lines' })
  const input = (id: string, ph: string, w: string): HTMLInputElement => h('input', { id, placeholder: ph, style: `width:${w}` })
  const status = input('f-status', 'status (5, 404)', '8em')
  const backend = input('f-backend', 'backend', '8em')
  const term = input('f-term', 'term. code (CD, s)', '9em')
  const client = input('f-client', 'client (127.0.0.1)', '10em')
  const state = h('span', { class: 'mute', id: 'log-state' })
  let es: EventSource | null = null
  const add = (text: string): void => {
    box.append(h('div', {}, text))
    while (box.childElementCount > MAX_LINES) box.firstElementChild!.remove()
    box.scrollTop = box.scrollHeight
  }
  const connect = (): void => {
    es?.close()
    box.replaceChildren()
    const q = new URLSearchParams()
    for (const [k, el] of [['status', status], ['backend', backend], ['term', term], ['client', client]] as const) if (el.value.trim() !== '') q.set(k, el.value.trim())
    es = new EventSource(`/api/logs/stream?${q.toString()}`)
    es.onopen = () => { state.textContent = 'live' }
    es.onerror = () => { state.textContent = 'reconnecting…' }
    es.onmessage = ev => add(line(JSON.parse(ev.data as string) as Entry))
  }
  const history = h('pre', { id: 'log-history' })
  mount(root,
    h('div', { class: 'row' }, status, backend, term, client, h('button', { id: 'log-apply', onclick: connect }, 'Filter'), state),
    box,
    h('h3', {}, 'Stored log ring ', h('button', { onclick: () => { get<{ line: string }[]>('/api/logs/recent?limit=100').then(ls => { history.textContent = ls.map(l => l.line).join('\n') }, () => {}) } }, 'Show last 100')),
    history)
  connect()
  return () => es?.close()
}
