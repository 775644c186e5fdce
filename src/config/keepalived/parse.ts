/** Reads keepalived's configuration language into a tree of statements:
 *  whitespace-separated words, `{ ... }` blocks, comments from `#` or `!`,
 *  double-quoted words, and `include <glob>` expanded in place (relative to the
 *  including file). No keyword is interpreted here; compile.ts does that. */
import { readFileSync, readdirSync } from 'node:fs'
import { dirname, basename, join, resolve, isAbsolute } from 'node:path'
import type { Where } from '../../core/where.ts'

export interface KaStatement {
  readonly kw: string
  readonly args: readonly string[]
  /** Statements inside `{ }`, or null when the statement has no block */
  readonly block: readonly KaStatement[] | null
  readonly where: Where
}

interface Token { readonly text: string; readonly where: Where; readonly quoted: boolean }

const MAX_INCLUDE_DEPTH = 8

/** Files matching <abs>, whose last component may hold `*` and `?` (fs.globSync is Node 22+). */
function globFiles (abs: string): string[] {
  const name = basename(abs)
  if (!/[*?]/.test(name)) return [abs]
  const re = new RegExp(`^${name.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.')}$`)
  let entries: string[]
  try { entries = readdirSync(dirname(abs)) } catch { return [] }
  return entries.filter(e => re.test(e)).sort().map(e => join(dirname(abs), e))
}

/** Splits <text> of <file> into tokens; `include` lines are replaced by the included tokens. */
function tokenize (text: string, file: string, files: string[], alerts: string[], depth: number): Token[] {
  const out: Token[] = []
  const lines = text.split('\n')
  for (let i = 0; i < lines.length; i++) {
    const where = { file, line: i + 1 }
    const lineTokens: Token[] = []
    const re = /"([^"]*)"|([{}])|([^\s{}"]+)/g
    const line = lines[i]!
    for (let m = re.exec(line); m; m = re.exec(line)) {
      if (m[3] !== undefined && (m[3].startsWith('#') || m[3].startsWith('!'))) break
      lineTokens.push({ text: m[1] ?? m[2] ?? m[3]!, where, quoted: m[1] !== undefined })
    }
    if (lineTokens[0]?.text === 'include' && !lineTokens[0].quoted) {
      const pattern = lineTokens[1]?.text
      if (!pattern) { alerts.push(`${file}:${i + 1}: include needs a file name`); continue }
      out.push(...expandInclude(pattern, file, where, files, alerts, depth))
      continue
    }
    out.push(...lineTokens)
  }
  return out
}

function expandInclude (pattern: string, from: string, where: Where, files: string[], alerts: string[], depth: number): Token[] {
  if (depth >= MAX_INCLUDE_DEPTH) { alerts.push(`${where.file}:${where.line}: include nested too deeply`); return [] }
  const abs = isAbsolute(pattern) ? pattern : resolve(dirname(from), pattern)
  const matches = globFiles(abs)
  const out: Token[] = []
  for (const f of matches) {
    let text: string
    try { text = readFileSync(f, 'utf8') } catch (e) {
      // keepalived only warns on a missing include; a bad explicit path is an error for us
      alerts.push(`${where.file}:${where.line}: cannot read included file '${f}': ${(e as Error).message}`); continue
    }
    files.push(f)
    out.push(...tokenize(text, f, files, alerts, depth + 1))
  }
  return out
}

/** Groups tokens into statements: a statement is the words of one line, plus a
 *  block when the line ends with `{`. A block may close on the same line. */
function group (tokens: readonly Token[], alerts: string[]): KaStatement[] {
  let pos = 0
  const parseBlock = (open: Token | null): KaStatement[] => {
    const stmts: KaStatement[] = []
    while (pos < tokens.length) {
      const first = tokens[pos]!
      if (first.text === '}' && !first.quoted) { pos++; if (open) return stmts; alerts.push(`${first.where.file}:${first.where.line}: unexpected '}'`); continue }
      if (first.text === '{' && !first.quoted) {
        pos++
        alerts.push(`${first.where.file}:${first.where.line}: unexpected '{'`)
        parseBlock(first)
        continue
      }
      const words: string[] = []
      let block: KaStatement[] | null = null
      while (pos < tokens.length) {
        const t = tokens[pos]!
        if (t.where.file !== first.where.file || t.where.line !== first.where.line) break
        if (!t.quoted && t.text === '}') break
        pos++
        if (!t.quoted && t.text === '{') { block = parseBlock(t); break }
        words.push(t.text)
      }
      stmts.push({ kw: words[0] ?? '', args: words.slice(1), block, where: first.where })
    }
    if (open) alerts.push(`${open.where.file}:${open.where.line}: missing '}' for the block opened here`)
    return stmts
  }
  return parseBlock(null)
}

/** Parses <paths> in order into one statement list; <files> lists every file read. */
export function parseKeepalived (paths: readonly string[]): { stmts: KaStatement[]; files: string[]; alerts: string[] } {
  const files: string[] = []
  const alerts: string[] = []
  const tokens: Token[] = []
  for (const p of paths) {
    let text: string
    try { text = readFileSync(p, 'utf8') } catch (e) { alerts.push(`${p}: cannot read configuration: ${(e as Error).message}`); continue }
    files.push(p)
    tokens.push(...tokenize(text, p, files, alerts, 0))
  }
  return { stmts: group(tokens, alerts), files, alerts }
}

/** Parses configuration <text> as if read from <file> (tests, the UI's editor). */
export function parseKeepalivedText (text: string, file: string): { stmts: KaStatement[]; alerts: string[] } {
  const alerts: string[] = []
  const files = [file]
  return { stmts: group(tokenize(text, file, files, alerts, 0), alerts), alerts }
}
