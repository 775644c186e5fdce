import type { ConvDef, Sample } from '../sample.ts'
import { leadingInt } from '../sample.ts'
import { RulesError } from '../types.ts'
import { checkVarName } from '../vars.ts'

/** String converters (HAProxy sample.c). */
const strConv = (out: 'str' | 'int', fn: (v: string) => Sample | undefined): ConvDef => ({
  args: [], in: 'str', out, compile: () => (v: Sample) => fn(v as string)
})

/** field/word: the <index>th piece (1-based, negative from the end) and the
 *  <count>-1 following ones (0 = all the rest), separators kept between them. */
function pieces (skipEmpty: boolean): ConvDef {
  return {
    args: [{ kind: 'int' }, { kind: 'str' }, { kind: 'int', optional: true }], in: 'str', out: 'str',
    compile: (args) => {
      const index = leadingInt(args[0])
      const delims = args[1]
      const count = args[2] === undefined ? 1 : leadingInt(args[2])
      if (index === 0) throw new RulesError('index must not be null (0)')
      if (delims === '') throw new RulesError('empty delimiters list')
      return (v: Sample) => {
        const str = v as string
        // [start, end) bounds of each piece
        const bounds: number[] = []
        let start = 0
        for (let i = 0; i <= str.length; i++) {
          if (i < str.length && !delims.includes(str[i])) continue
          if (!skipEmpty || i > start) bounds.push(start, i)
          start = i + 1
        }
        const n = bounds.length / 2
        let first: number
        let last: number
        if (index > 0) { first = index - 1; last = count === 0 ? n - 1 : first + count - 1 } else { last = n + index; first = count === 0 ? 0 : last - count + 1 }
        if (first < 0) first = 0
        if (last >= n) last = n - 1
        if (n === 0 || first > last || (index > 0 && index > n) || (index < 0 && -index > n)) return ''
        return str.slice(bounds[first * 2], bounds[last * 2 + 1])
      }
    }
  }
}

/** regsub(<regex>,<subst>[,<flags>]): \1..\9 in <subst> name groups; flags g, i. */
const regsub: ConvDef = {
  args: [{ kind: 'reg' }, { kind: 'str' }, { kind: 'str', optional: true }], in: 'str', out: 'str',
  compile: (args) => {
    const flags = args[2] ?? ''
    if (!/^[gi]*$/.test(flags)) throw new RulesError(`invalid regex flags '${flags}', supported are 'g' and 'i'`)
    let re: RegExp
    try { re = new RegExp(args[0], flags) } catch (err) { throw new RulesError(`invalid regex '${args[0]}': ${(err as Error).message}`) }
    const subst = args[1].replace(/\$/g, '$$$$').replace(/\\(\d)/g, '$$$1')
    return (v: Sample) => (v as string).replace(re, subst)
  }
}

/** strcmp(<var>): <0, 0 or >0 like C strcmp on the bytes. */
const strcmp: ConvDef = {
  args: [{ kind: 'var' }], in: 'str', out: 'int',
  compile: (args) => {
    const name = checkVarName(args[0])
    return (v: Sample, s) => {
      const other = s.vars.get(name)
      if (other === undefined) return undefined
      const a = v as string
      const b = typeof other === 'string' ? other : String(other)
      const n = Math.min(a.length, b.length)
      for (let i = 0; i < n; i++) { const d = a.charCodeAt(i) - b.charCodeAt(i); if (d !== 0) return d }
      return a.length === b.length ? 0 : a.length < b.length ? -1 : 1
    }
  }
}

/** concat([<start>],[<var>],[<end>]): appends the three after the sample. */
const concat: ConvDef = {
  args: [{ kind: 'str', optional: true }, { kind: 'str', optional: true }, { kind: 'str', optional: true }], in: 'str', out: 'str',
  compile: (args) => {
    const before = args[0] ?? ''
    const after = args[2] ?? ''
    const name = args[1] === undefined || args[1] === '' ? null : checkVarName(args[1])
    if (name === null) return (v: Sample) => (v as string) + before + after
    return (v: Sample, s) => { const x = s.vars.get(name); return (v as string) + before + (x === undefined ? '' : String(x)) + after }
  }
}

/** json: escapes the string to fit between double quotes in JSON. */
function jsonEscape (str: string): string {
  let out = ''
  for (let i = 0; i < str.length; i++) {
    const c = str.charCodeAt(i)
    if (c === 34) out += '\\"'
    else if (c === 92) out += '\\\\'
    else if (c === 47) out += '\\/'
    else if (c === 8) out += '\\b'
    else if (c === 12) out += '\\f'
    else if (c === 13) out += '\\r'
    else if (c === 10) out += '\\n'
    else if (c === 9) out += '\\t'
    else if (c < 0x20 || c === 0x7f) out += '\\u' + c.toString(16).padStart(4, '0')
    else out += str[i]
  }
  return out
}

/** url_dec([<in_form>]): %XX decoding; '+' becomes a space after '?' (or everywhere when <in_form> is set). */
const urlDec: ConvDef = {
  args: [{ kind: 'int', optional: true }], in: 'str', out: 'str',
  compile: (args) => {
    const inForm = args[0] !== undefined && leadingInt(args[0]) !== 0
    return (v: Sample) => {
      const str = v as string
      let out = ''
      let plusIsSpace = inForm
      for (let i = 0; i < str.length; i++) {
        const ch = str[i]
        if (ch === '?') plusIsSpace = true
        if (ch === '+' && plusIsSpace) { out += ' '; continue }
        if (ch !== '%') { out += ch; continue }
        const hex = str.slice(i + 1, i + 3)
        if (!/^[0-9a-fA-F]{2}$/.test(hex)) return undefined
        out += String.fromCharCode(parseInt(hex, 16))
        i += 2
      }
      return out
    }
  }
}

export const STRING_CONVERTERS: Readonly<Record<string, ConvDef>> = {
  lower: strConv('str', v => v.toLowerCase()),
  upper: strConv('str', v => v.toUpperCase()),
  length: strConv('int', v => v.length),
  json: { args: [{ kind: 'str', optional: true }], in: 'str', out: 'str', compile: () => (v: Sample) => jsonEscape(v as string) },
  field: pieces(false),
  word: pieces(true),
  regsub,
  strcmp,
  concat,
  url_dec: urlDec
}
