import { h } from './dom.ts'
import { aclNames, lineHtml } from './highlight.ts'

export interface Marker { line: number; severity: 'error' | 'warning'; message: string }

/** The config editor: line numbers carrying the checker's markers, and the
 *  highlighted copy of the text in a <pre> under a transparent <textarea>
 *  (same font and box: caret and selection are the textarea's, colours the
 *  <pre>'s). Redraws are incremental so that typing in a 2,000-line file stays
 *  smooth: only the lines an edit changed are highlighted again, the gutter
 *  grows or shrinks at its end; new ACL names or markers redraw everything. */
export class CodeEditor {
  readonly textarea = h('textarea', { id: 'config-text', spellcheck: 'false', wrap: 'off', autocomplete: 'off' })
  private readonly gutter = h('div', { class: 'gutter', id: 'gutter' })
  private readonly colours = h('pre', { class: 'hl', id: 'config-hl', 'aria-hidden': 'true' })
  readonly element = h('div', { class: 'editor' }, this.gutter, h('div', { class: 'code' }, this.colours, this.textarea))
  private markers: readonly Marker[] = []
  /** the lines the colour layer shows, and the ACL names + error lines it was drawn with */
  private drawn: string[] = []
  private drawnKey = ''
  private gutterKey = ''
  private gutterLines = 0
  private pending = 0

  constructor () {
    this.textarea.addEventListener('input', () => {
      this.markers = []
      if (this.pending === 0) this.pending = requestAnimationFrame(() => { this.pending = 0; this.draw() })
    })
    this.textarea.addEventListener('scroll', () => { this.colours.scrollTop = this.textarea.scrollTop; this.colours.scrollLeft = this.textarea.scrollLeft })
  }

  get value (): string { return this.textarea.value }
  set value (text: string) { this.textarea.value = text; this.markers = []; this.draw() }

  setMarkers (markers: readonly Marker[]): void { this.markers = markers; this.draw() }

  close (): void { if (this.pending !== 0) cancelAnimationFrame(this.pending) }

  private draw (): void {
    const text = this.textarea.value
    const lines = text.split('\n')
    this.drawGutter(lines.length)
    let widest = 0
    for (const l of lines) if (l.length > widest) widest = l.length
    this.textarea.style.minWidth = `${widest + 2}ch`
    const acls = aclNames(text)
    const errors = new Set(this.markers.filter(m => m.severity === 'error').map(m => m.line))
    const key = `${[...acls].join(' ')}|${[...errors].join(',')}`
    if (key !== this.drawnKey) {
      this.drawnKey = key
      let html = ''
      for (let i = 0; i < lines.length; i++) html += lineHtml(lines[i]!, i + 1, acls, errors)
      this.colours.innerHTML = html
    } else this.redrawChanged(lines, acls, errors)
    this.drawn = lines
  }

  /** Replaces the layer's lines between the unchanged head and tail of <lines>. */
  private redrawChanged (lines: string[], acls: ReadonlySet<string>, errors: ReadonlySet<number>): void {
    const old = this.drawn
    let head = 0
    while (head < old.length && head < lines.length && old[head] === lines[head]) head++
    let tail = 0
    while (tail < old.length - head && tail < lines.length - head && old[old.length - 1 - tail] === lines[lines.length - 1 - tail]) tail++
    const kids = this.colours.children
    for (let i = old.length - tail - 1; i >= head; i--) kids[i]!.remove()
    let html = ''
    for (let i = head; i < lines.length - tail; i++) html += lineHtml(lines[i]!, i + 1, acls, errors)
    const before = kids[head]
    if (before === undefined) this.colours.insertAdjacentHTML('beforeend', html)
    else before.insertAdjacentHTML('beforebegin', html)
  }

  /** Line numbers: all redrawn when the markers change, else grown or shrunk at the end. */
  private drawGutter (n: number): void {
    const key = this.markers.map(m => `${m.line}${m.severity}`).join(',')
    if (key === this.gutterKey && n === this.gutterLines) return
    if (key !== this.gutterKey) {
      this.gutterKey = key
      this.gutterLines = 0
      this.gutter.replaceChildren()
    }
    const at = new Map(this.markers.map(m => [m.line, m]))
    while (this.gutterLines > n) { this.gutter.lastElementChild!.remove(); this.gutterLines-- }
    const more = document.createDocumentFragment()
    for (let i = this.gutterLines + 1; i <= n; i++) {
      const m = at.get(i)
      more.append(h('div', { class: m === undefined ? '' : m.severity === 'error' ? 'bad' : 'warnl', title: m?.message, 'data-line': i }, String(i)))
    }
    this.gutter.append(more)
    this.gutterLines = n
    this.textarea.style.height = `${n * 1.5 + 1}em`
  }
}
