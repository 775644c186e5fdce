/** One configuration line → words, with HAProxy 2.6's quoting rules:
 *  - words split on spaces/tabs; `#` outside quotes starts a comment;
 *  - backslash escapes `\ ` `\#` `\\` `\"` `\'` `\$` `\r` `\n` `\t` `\xHH`
 *    outside single quotes (any other `\c` is kept as written);
 *  - double quotes keep spaces and expand `${VAR}` / `${VAR-default}`;
 *    single quotes are fully literal;
 *  - an empty quoted string is an empty word, kept in place. */

export interface LexEnv {
  /** variable lookup; undefined = not set */
  get (name: string): string | undefined
  /** called once per undefined variable expanded to "" */
  unknown (name: string): void
}

export type LexResult = { readonly words: string[] } | { readonly error: string }

const SPACE = 32
const TAB = 9
const BACKSLASH = 92
const DQUOTE = 34
const SQUOTE = 39
const HASH = 35
const DOLLAR = 36
const LBRACE = 123

const SIMPLE_ESCAPES: Readonly<Record<string, string>> = {
  ' ': ' ', '#': '#', '\\': '\\', '"': '"', "'": "'", $: '$', r: '\r', n: '\n', t: '\t'
}

function isHex (c: string): boolean { return /^[0-9a-fA-F]$/.test(c) }

export function lexLine (line: string, env: LexEnv): LexResult {
  const words: string[] = []
  let i = 0
  const n = line.length
  while (i < n) {
    while (i < n && (line.charCodeAt(i) === SPACE || line.charCodeAt(i) === TAB || line[i] === '\r' || line[i] === '\n')) i++
    if (i >= n || line.charCodeAt(i) === HASH) break
    let word = ''
    let quoted = false
    while (i < n) {
      const c = line.charCodeAt(i)
      if (c === SPACE || c === TAB || c === HASH || line[i] === '\r' || line[i] === '\n') break
      if (c === BACKSLASH) {
        const r = escape(line, i)
        word += r.text; i = r.next
      } else if (c === SQUOTE) {
        const end = line.indexOf("'", i + 1)
        if (end < 0) return { error: 'unmatched quote' }
        word += line.slice(i + 1, end); i = end + 1; quoted = true
      } else if (c === DQUOTE) {
        i++; quoted = true
        let closed = false
        while (i < n) {
          const d = line.charCodeAt(i)
          if (d === DQUOTE) { closed = true; i++; break }
          if (d === BACKSLASH) { const r = escape(line, i); word += r.text; i = r.next } else if (d === DOLLAR && line.charCodeAt(i + 1) === LBRACE) {
            const r = expandVar(line, i, env)
            if ('error' in r) return r
            word += r.text; i = r.next
          } else { word += line[i]; i++ }
        }
        if (!closed) return { error: 'unmatched quote' }
      } else { word += line[i]; i++ }
    }
    if (word !== '' || quoted) words.push(word)
  }
  return { words }
}

/** Backslash sequence at <at>; returns the produced text and the next index. */
function escape (line: string, at: number): { text: string; next: number } {
  const c = line[at + 1]
  if (c === undefined) return { text: '\\', next: at + 1 }
  const simple = SIMPLE_ESCAPES[c]
  if (simple !== undefined) return { text: simple, next: at + 2 }
  if (c === 'x' && isHex(line[at + 2] ?? '') && isHex(line[at + 3] ?? '')) {
    return { text: String.fromCharCode(parseInt(line.slice(at + 2, at + 4), 16)), next: at + 4 }
  }
  return { text: '\\' + c, next: at + 2 }
}

/** `${NAME}` or `${NAME-default}` at <at> (inside double quotes). */
function expandVar (line: string, at: number, env: LexEnv): { text: string; next: number } | { error: string } {
  const close = line.indexOf('}', at + 2)
  if (close < 0) return { error: "missing '}' in variable expansion" }
  const body = line.slice(at + 2, close)
  const m = /^([A-Za-z_][A-Za-z0-9_.]*)(?:-(.*))?$/s.exec(body)
  if (m === null) return { error: `invalid variable name in '\${${body}}'` }
  const name = m[1] as string
  const value = env.get(name)
  if (value !== undefined) return { text: value, next: close + 1 }
  if (m[2] !== undefined) return { text: m[2], next: close + 1 }
  env.unknown(name)
  return { text: '', next: close + 1 }
}
