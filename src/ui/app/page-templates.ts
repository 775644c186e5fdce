import { h, mount } from './dom.ts'
import { get, post, ApiError } from './api.ts'

interface Field { name: string; label: string; default: string; kind: string }
interface Template { id: string; title: string; summary: string; fields: Field[] }
interface Rendered { text: string; lines: { text: string; reason: string }[] }
interface Applied { ok: boolean; applied: boolean; error?: string; alerts: string[]; version: number }

/** One template per seed scenario: form → generated config with the reasons beside it → merged and applied. */
export function templatesPage (root: HTMLElement): () => void {
  const detail = h('div', { id: 'tpl-detail' })
  const open = (t: Template): void => {
    const inputs = new Map(t.fields.map(f => [f.name, h('input', { name: f.name, value: f.default, style: 'width:22em' })]))
    const preview = h('div', { class: 'tpl', id: 'tpl-preview' })
    const msg = h('p', { id: 'tpl-msg' })
    const values = (): Record<string, string> => Object.fromEntries([...inputs].map(([k, el]) => [k, el.value]))
    const render = (): void => {
      post<Rendered>(`/api/templates/${t.id}/render`, { values: values() }).then(r =>
        mount(preview, r.lines.flatMap(l => [h('div', {}, l.text), h('div', { class: 'why' }, l.reason)])), () => {})
    }
    const apply = (): void => {
      post<Applied>(`/api/templates/${t.id}/apply`, { values: values() }).then(r => {
        msg.className = r.applied ? 'okmsg' : 'err'
        msg.textContent = r.applied ? `Merged and applied (version ${r.version}).` : `Not applied: ${r.error ?? r.alerts.join(' ')}`
      }, (e: unknown) => { msg.className = 'err'; msg.textContent = e instanceof ApiError ? e.message : String(e) })
    }
    for (const el of inputs.values()) el.addEventListener('input', render)
    mount(detail, h('h2', {}, t.title), h('p', {}, t.summary),
      h('div', {}, t.fields.map(f => h('div', { class: 'row' }, h('label', { style: 'width:14em' }, f.label), inputs.get(f.name)!))),
      h('h3', {}, 'Generated configuration and why'), preview,
      h('div', { class: 'row' }, h('button', { id: 'tpl-apply', onclick: apply }, 'Merge into the configuration and apply')), msg)
    render()
  }
  get<Template[]>('/api/templates').then(ts => mount(root,
    h('div', { class: 'cards' }, ts.map(t => h('div', { class: 'card' }, h('h3', {}, t.title), h('p', {}, t.summary), h('button', { id: `tpl-${t.id}`, onclick: () => open(t) }, 'Use')))),
    detail), () => {})
  return () => {}
}
