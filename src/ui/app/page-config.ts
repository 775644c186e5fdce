import { h, mount } from './dom.ts'
import { get, post, ApiError } from './api.ts'
import { diffLines } from './diff.ts'
import { CodeEditor, type Marker } from './editor.ts'

interface Checked { ok: boolean; alerts: string[]; warnings: string[]; markers: Marker[]; applied?: boolean; error?: string; version?: number }
interface Version { id: number; time: number; author: string; comment: string; checksum: string; valid: boolean; applied: boolean }

function diffView (a: string, b: string): HTMLElement {
  const lines = diffLines(a, b).filter((l, i, all) => l.op !== ' ' || all.slice(Math.max(0, i - 2), i + 3).some(x => x.op !== ' '))
  return h('pre', { class: 'diff', id: 'diff-out' }, lines.length === 0 ? 'no difference' : lines.map(l => h('div', { class: l.op === '+' ? 'add' : l.op === '-' ? 'del' : '' }, `${l.op} ${l.text}`)))
}

/** Editor with line numbers and markers, validate, diff against running, apply, versions with diff and rollback. */
export function configPage (root: HTMLElement): () => void {
  let running = ''
  const editor = new CodeEditor()
  const result = h('div', { id: 'config-result' })
  const side = h('div', { id: 'config-side' })
  const comment = h('input', { id: 'config-comment', placeholder: 'comment for this version', style: 'width:20em' })

  const show = (r: Checked, what: string): void => {
    editor.setMarkers(r.markers)
    const msgs = r.markers.map(m => h('li', { class: m.severity === 'error' ? 'err' : 'mute', 'data-line': m.line }, m.line > 0 ? `line ${m.line}: ` : '', m.message))
    const head = r.ok ? (r.applied === false ? h('p', { class: 'err' }, `${what} refused: ${r.error ?? ''} — the running configuration stays in service.`) : h('p', { class: 'okmsg' }, r.applied ? `Applied (version ${r.version}).` : 'Configuration is valid.'))
      : h('p', { class: 'err' }, `${r.alerts.length} error(s): nothing was changed, the running configuration stays in service.`)
    mount(result, head, h('ul', {}, msgs))
  }
  const fail = (e: unknown): void => mount(result, h('p', { class: 'err' }, e instanceof ApiError ? e.message : String(e)))
  const validate = (): void => { post<Checked>('/api/config/validate', { text: editor.value }).then(r => show(r, 'Validation'), fail) }
  const apply = (): void => {
    post<Checked>('/api/config/apply', { text: editor.value, comment: comment.value }).then(r => { show(r, 'Apply'); if (r.applied === true) { running = editor.value; loadVersions() } }, fail)
  }
  const loadVersions = (): void => {
    get<Version[]>('/api/config/versions').then(vs => mount(side, h('h3', {}, 'Versions'),
      h('table', { id: 'versions' }, h('tr', {}, ['#', 'When', 'Who', 'Comment', 'State', ''].map(t => h('th', {}, t))),
        vs.map(v => h('tr', { 'data-version': v.id },
          h('td', {}, String(v.id)), h('td', {}, new Date(v.time).toLocaleString()), h('td', {}, v.author), h('td', {}, v.comment),
          h('td', {}, v.applied ? 'applied' : v.valid ? 'not applied' : 'invalid'),
          h('td', {},
            h('button', { class: 'ver-diff', onclick: () => { get<{ text: string }>(`/api/config/versions/${v.id}`).then(x => mount(result, h('p', {}, `Version ${v.id} → running:`), diffView(x.text, running)), fail) } }, 'Diff'), ' ',
            h('button', { class: 'ver-load', onclick: () => { get<{ text: string }>(`/api/config/versions/${v.id}`).then(x => { editor.value = x.text }, fail) } }, 'Load'), ' ',
            v.valid ? h('button', { class: 'ver-rollback', onclick: () => { post<Checked>(`/api/config/rollback/${v.id}`).then(r => { show(r, 'Rollback'); if (r.applied === true) { void reload() } }, fail) } }, 'Roll back') : '')))))
    , fail)
  }
  const reload = async (): Promise<void> => {
    const c = await get<{ path: string | null; text: string }>('/api/config')
    running = c.text
    editor.value = c.text
    loadVersions()
  }
  mount(root,
    h('div', { class: 'row' },
      h('button', { id: 'btn-validate', onclick: validate }, 'Validate'),
      h('button', { id: 'btn-diff', onclick: () => mount(result, h('p', {}, 'Running → editor:'), diffView(running, editor.value)) }, 'Diff vs running'),
      comment, h('button', { id: 'btn-apply', onclick: apply }, 'Apply'),
      h('button', { onclick: () => { void reload() } }, 'Revert to running')),
    result, editor.element, side)
  reload().catch(fail)
  return () => editor.close()
}
