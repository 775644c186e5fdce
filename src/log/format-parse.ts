/** Tokenizer of HAProxy log-format strings (config time only).
 *  Grammar as HAProxy 2.6 reads it: literal text, runs of spaces (separators,
 *  merged at output), `%%` (a literal '%'), `%name` / `%{+Q,-X}name` aliases
 *  (alias = the run of letters and digits), `%[expr]` / `%{+Q}[expr]` sample
 *  expressions, and `%{+Q}o` which changes the default flags of the nodes
 *  that follow. */

/** Flag bits (HAProxy LOG_OPT_*) */
export const LogOpt = { quote: 1, hex: 2, escape: 4, mandatory: 8 } as const

const FLAG_BITS: Record<string, number> = { Q: LogOpt.quote, X: LogOpt.hex, E: LogOpt.escape, M: LogOpt.mandatory }

export type FormatNode =
  | { readonly t: 'text'; readonly text: string }
  | { readonly t: 'sep' }
  | { readonly t: 'alias'; readonly name: string; readonly opts: number }
  | { readonly t: 'sample'; readonly expr: string; readonly opts: number }

export class LogFormatError extends Error {
  constructor (message: string) { super(message); this.name = 'LogFormatError' }
}

/** Applies "+Q,-X" style <args> to <opts>; unknown flags are ignored like HAProxy. */
function applyFlags (args: string, opts: number): number {
  for (const item of args.split(',')) {
    const bit = FLAG_BITS[item.slice(1)]
    if (bit === undefined) continue
    if (item[0] === '+') opts |= bit
    else if (item[0] === '-') opts &= ~bit
  }
  return opts
}

function isAlnum (c: number): boolean {
  return (c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122)
}

/** End index (exclusive, at the closing ']') of the sample expression starting at <i>;
 *  brackets inside parentheses (converter arguments) do not end it. */
function sampleEnd (fmt: string, i: number): number {
  let depth = 0
  for (; i < fmt.length; i++) {
    const c = fmt[i]
    if (c === '(') depth++
    else if (c === ')') depth--
    else if (c === ']' && depth <= 0) return i
  }
  throw new LogFormatError(`missing ']' after '${fmt}'`)
}

/** Splits <fmt> into nodes; throws LogFormatError for HAProxy's fatal cases
 *  (truncated alias, '%' followed by a digit or a blank, missing ']'). Alias
 *  names are not validated here. */
export function parseLogFormat (fmt: string): FormatNode[] {
  const nodes: FormatNode[] = []
  let text = ''
  let defaults = 0
  const flushText = (): void => { if (text) { nodes.push({ t: 'text', text }); text = '' } }
  let i = 0
  while (i < fmt.length) {
    const c = fmt[i]
    if (c === ' ') {
      flushText(); nodes.push({ t: 'sep' }); i++; continue
    }
    if (c !== '%') { text += c; i++; continue }
    i++
    if (i >= fmt.length) throw new LogFormatError("truncated line after '%'")
    if (fmt[i] === '%') { text += '%'; i++; continue }
    let opts = defaults
    let args: string | null = null
    if (fmt[i] === '{') {
      const close = fmt.indexOf('}', i)
      if (close < 0) throw new LogFormatError(`truncated line after '${fmt.slice(i + 1)}'`)
      args = fmt.slice(i + 1, close)
      opts = applyFlags(args, opts)
      i = close + 1
    }
    if (fmt[i] === '[') {
      const end = sampleEnd(fmt, i + 1)
      flushText()
      nodes.push({ t: 'sample', expr: fmt.slice(i + 1, end), opts })
      i = end + 1
      continue
    }
    const start = i
    if (args === null && fmt[i] >= '0' && fmt[i] <= '9') {
      throw new LogFormatError(`unexpected alias name near '${fmt[i]}'. Maybe you want to write a single '%', use the syntax '%%'`)
    }
    while (i < fmt.length && isAlnum(fmt.charCodeAt(i))) i++
    if (i === start) {
      if (args !== null) throw new LogFormatError(`parse argument modifier without alias name near '%{${args}}'`)
      const ch = fmt[i] ?? ''
      if (ch === '' || ch === ' ' || ch === '\t' || (ch >= '0' && ch <= '9')) {
        throw new LogFormatError(`unexpected alias name near '${ch}'. Maybe you want to write a single '%', use the syntax '%%'`)
      }
      text += '%'
      continue
    }
    const name = fmt.slice(start, i)
    if (name === 'o') { defaults = opts; continue }
    flushText()
    nodes.push({ t: 'alias', name, opts })
  }
  flushText()
  return nodes
}
