import type { Template } from './types.ts'
import { RulesError } from './types.ts'
import type { CompileCtx, SampleFn } from './sample.ts'
import { sampleText } from './sample.ts'
import { parseExpr } from './expr-parse.ts'
import { compileParsed } from './expr.ts'

/** Log-format-like templates: literal text with `%[expr]` parts (optionally
 *  `%{+Q}[expr]` to double-quote the value); `%%` is a literal '%'. A missing
 *  sample prints nothing, as HAProxy 2.6 does in http rules. */
type Part = string | { readonly fn: SampleFn; readonly quote: boolean }

export function compileTemplateText (text: string, cc: CompileCtx, phase: number): Template {
  const parts: Part[] = []
  let lit = ''
  for (let i = 0; i < text.length; i++) {
    const ch = text[i]
    if (ch !== '%') { lit += ch; continue }
    if (text[i + 1] === '%') { lit += '%'; i++; continue }
    let j = i + 1
    let quote = false
    if (text[j] === '{') {
      const close = text.indexOf('}', j)
      if (close < 0) throw new RulesError(`missing '}' in log-format string '${text}'`)
      for (const opt of text.slice(j + 1, close).split(',')) {
        if (opt === '+Q') quote = true
        else if (opt !== '' && opt !== '-Q') throw new RulesError(`unsupported log-format option '${opt}'`)
      }
      j = close + 1
    }
    if (text[j] !== '[') throw new RulesError(`unsupported log-format variable at '${text.slice(i)}' (only %[expr] is supported)`)
    const p = parseExpr(text, j + 1, ']')
    if (text[p.end] !== ']') throw new RulesError(`missing ']' after sample expression in '${text}'`)
    if (lit !== '') { parts.push(lit); lit = '' }
    parts.push({ fn: compileParsed(p, cc, phase).fn, quote })
    i = p.end
  }
  if (lit !== '') parts.push(lit)
  return join(parts)
}

function render (p: Exclude<Part, string>, s: Parameters<Template>[0]): string {
  const v = p.fn(s)
  if (v === undefined) return ''
  const str = sampleText(v)
  return p.quote ? '"' + str + '"' : str
}

function join (parts: Part[]): Template {
  if (parts.length === 0) return () => ''
  if (parts.length === 1) {
    const p = parts[0]
    if (typeof p === 'string') return () => p
    return s => render(p, s)
  }
  return (s) => {
    let out = ''
    for (let i = 0; i < parts.length; i++) {
      const p = parts[i]
      out += typeof p === 'string' ? p : render(p, s)
    }
    return out
  }
}
