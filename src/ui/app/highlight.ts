/** Syntax highlighting of HAProxy's configuration language for the config
 *  editor: config text → HTML of spans, drawn in a <pre> under a transparent
 *  <textarea>. Pure (no DOM), one pass per line, so a 2,000-line file is
 *  redrawn within a frame. Classes: hl-sec section keyword, hl-name its name,
 *  hl-kw a line's keyword, hl-com comment, hl-str quoted string, hl-smp a
 *  `%[...]` sample expression, hl-cond if/unless, hl-acl an ACL name, and
 *  hl-err (underlined) on lines the checker rejected. One <div> per line, so
 *  that an edit replaces only the lines it changed (editor.ts). */

export const SECTIONS: ReadonlySet<string> = new Set([
  'global', 'defaults', 'frontend', 'backend', 'listen', 'resolvers', 'peers', 'userlist',
  'cache', 'program', 'mailers', 'http-errors', 'ring', 'fcgi-app'
])

const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;' }
export const escapeHtml = (s: string): string => s.replace(/[&<>]/g, c => ESCAPES[c]!)

const span = (cls: string, text: string): string => `<span class="${cls}">${escapeHtml(text)}</span>`

/** ACL names declared anywhere in <text> (`acl <name> ...`): references are highlighted too. */
export function aclNames (text: string): Set<string> {
  const names = new Set<string>()
  for (const m of text.matchAll(/^[ \t]*acl[ \t]+(\S+)/gm)) names.add(m[1]!)
  return names
}

/** End (exclusive) of the `%[...]` whose '%' is at <i> (brackets nest), or the line's end. */
function sampleEnd (line: string, i: number): number {
  let depth = 0
  for (let j = i + 1; j < line.length; j++) {
    if (line[j] === '[') depth++
    else if (line[j] === ']' && --depth === 0) return j + 1
  }
  return line.length
}

/** End (exclusive) of the quoted string opening at <i>; a backslash escapes the next character. */
function stringEnd (line: string, i: number): number {
  const q = line[i]
  for (let j = i + 1; j < line.length; j++) {
    if (line[j] === '\\') j++
    else if (line[j] === q) return j + 1
  }
  return line.length
}

/** A double-quoted string with its samples highlighted inside. */
function stringHtml (s: string): string {
  if (s[0] !== '"' || !s.includes('%[')) return span('hl-str', s)
  let out = '', i = 0, from = 0
  while ((i = s.indexOf('%[', i)) >= 0) {
    const end = sampleEnd(s, i)
    out += escapeHtml(s.slice(from, i)) + span('hl-smp', s.slice(i, end))
    i = from = end
  }
  return `<span class="hl-str">${out}${escapeHtml(s.slice(from))}</span>`
}

/** HTML of one line; <acls> from aclNames(). */
export function highlightLine (line: string, acls: ReadonlySet<string>): string {
  let out = ''
  let word = 0          // words seen on the line so far
  let section = false   // the line opens a section
  let i = 0
  while (i < line.length) {
    const c = line[i]!
    if (c === ' ' || c === '\t') {
      let j = i + 1
      while (j < line.length && (line[j] === ' ' || line[j] === '\t')) j++
      out += line.slice(i, j); i = j; continue
    }
    if (c === '#') { out += span('hl-com', line.slice(i)); break }
    if (c === '"' || c === "'") { const j = stringEnd(line, i); out += stringHtml(line.slice(i, j)); i = j; word++; continue }
    if (c === '%' && line[i + 1] === '[') { const j = sampleEnd(line, i); out += span('hl-smp', line.slice(i, j)); i = j; word++; continue }
    // a bare word: up to a blank, a quote or a sample; a backslash keeps the next character in it
    let j = i
    while (j < line.length) {
      const d = line[j]!
      if (d === ' ' || d === '\t' || d === '"' || d === "'" || d === '#' || (d === '%' && line[j + 1] === '[')) break
      j += d === '\\' ? 2 : 1
    }
    j = Math.min(j, line.length)
    const w = line.slice(i, j)
    const bare = w[0] === '!' ? w.slice(1) : w
    if (word === 0) { section = SECTIONS.has(w); out += span(section ? 'hl-sec' : 'hl-kw', w) } else if (word === 1 && section) out += span('hl-name', w)
    else if (w === 'if' || w === 'unless') out += span('hl-cond', w)
    else if (acls.has(bare)) out += (bare === w ? '' : '!') + span('hl-acl', bare)
    else out += escapeHtml(w)
    word++
    i = j
  }
  return out
}

/** One line's element of the colour layer: line <n> (1-based) is underlined when in <errors>. */
export function lineHtml (line: string, n: number, acls: ReadonlySet<string>, errors: ReadonlySet<number>): string {
  return errors.has(n) ? `<div class="hl-err" data-line="${n}">${highlightLine(line, acls)}</div>` : `<div>${highlightLine(line, acls)}</div>`
}

/** The colour layer of the whole <text>: one <div> per line; lines in <errors> (1-based) are underlined. */
export function highlight (text: string, errors: ReadonlySet<number> = new Set()): string {
  const acls = aclNames(text)
  const lines = text.split('\n')
  let out = ''
  for (let n = 0; n < lines.length; n++) out += lineHtml(lines[n]!, n + 1, acls, errors)
  return out
}
