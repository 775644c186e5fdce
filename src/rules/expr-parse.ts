import { RulesError } from './types.ts'

/** One `name(arg,arg)` element of a sample expression. */
export interface CallText { readonly name: string; readonly args: string[] | null }

export interface ParsedExpr {
  readonly fetch: CallText
  readonly convs: CallText[]
  /** index in the text just after the expression */
  readonly end: number
}

/** Parses `fetch[(args)][,conv[(args)]]...` starting at <start> of <text>.
 *  Stops at the end of text, at whitespace or at a top-level char in <stops>
 *  (']' for `%[...]`). Arguments may be quoted ('…' or "…") and use backslash
 *  escapes, as in HAProxy 2.6. */
export function parseExpr (text: string, start = 0, stops = ''): ParsedExpr {
  let i = start
  const calls: CallText[] = []
  for (;;) {
    const nameStart = i
    while (i < text.length && isNameChar(text.charCodeAt(i))) i++
    const name = text.slice(nameStart, i)
    if (name === '') {
      throw new RulesError(calls.length === 0 ? `missing fetch method in sample expression '${text.slice(start)}'` : `missing converter name after ',' in '${text.slice(start)}'`)
    }
    let args: string[] | null = null
    if (text[i] === '(') {
      const r = parseArgs(text, i + 1, name)
      args = r.args
      i = r.end
    }
    calls.push({ name, args })
    if (text[i] === ',') { i++; continue }
    if (i < text.length && !stops.includes(text[i]) && !/\s/.test(text[i])) {
      throw new RulesError(`unexpected character '${text[i]}' after '${name}' in sample expression '${text.slice(start)}'`)
    }
    break
  }
  return { fetch: calls[0], convs: calls.slice(1), end: i }
}

function isNameChar (c: number): boolean {
  // letters, digits, '_', '.', '-', '+' (base32+src)
  return (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || (c >= 48 && c <= 57) || c === 95 || c === 46 || c === 45 || c === 43
}

const ESCAPABLE = '\\\'",)'

/** Reads arguments after '(' up to the matching ')'. */
function parseArgs (text: string, i: number, name: string): { args: string[]; end: number } {
  const args: string[] = []
  let cur = ''
  let quote = ''
  let depth = 0
  for (; i < text.length; i++) {
    const ch = text[i]
    // a backslash protects quotes, ',', ')' and itself; before anything else it is kept (regex escapes)
    if (ch === '\\' && i + 1 < text.length) { cur += ESCAPABLE.includes(text[i + 1]) ? text[++i] : ch; continue }
    if (quote !== '') {
      if (ch === quote) quote = ''
      else cur += ch
      continue
    }
    if (ch === '"' || ch === "'") { quote = ch; continue }
    // unquoted parentheses nest (regex groups); HAProxy wants them quoted
    if (ch === '(') depth++
    else if (ch === ')' && depth > 0) depth--
    else if (ch === ',' && depth === 0) { args.push(cur); cur = ''; continue } else if (ch === ')') {
      args.push(cur)
      return { args, end: i + 1 }
    }
    cur += ch
  }
  throw new RulesError(`missing closing ')' after arguments to '${name}'`)
}
