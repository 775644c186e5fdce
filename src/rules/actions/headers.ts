import { addHeader, delHeader, setHeader } from '../../core/http-head.ts'
import type { HttpHead } from '../../core/http-head.ts'
import { RulesError } from '../types.ts'
import { buildLookup } from '../pattern.ts'
import type { MatchMethod } from '../pattern.ts'
import type { ActionParser } from './parse.ts'
import { arg, template, CONTINUE } from './parse.ts'

/** set-header / add-header <name> <fmt>: the value is computed before the
 *  head is touched (so `set-header X %[hdr(X)]` reads the old value). */
const writeHeader = (op: typeof setHeader, keyword: string): ActionParser => (words, i, _p, cc) => {
  const name = arg(words, i, 'a header name and a log-format value', keyword)
  const value = template(arg(words, i + 1, 'a header name and a log-format value', keyword), cc)
  return { run: t => { op(t.head, name, value(t)); return CONTINUE }, next: i + 2 }
}

/** del-header <name> [-m <meth>]: removes header lines whose name matches. */
const delHeaderAction: ActionParser = (words, i, _p) => {
  const name = arg(words, i, 'a header name', 'del-header')
  if (words[i + 1] !== '-m') {
    const lname = name.toLowerCase()
    return { run: t => { delHeader(t.head, lname); return CONTINUE }, next: i + 1 }
  }
  const m = words[i + 2]
  if (m === undefined || !['str', 'beg', 'end', 'sub', 'reg'].includes(m)) {
    throw new RulesError(`'del-header' : '-m' expects str, beg, end, sub or reg, got '${m ?? ''}'`)
  }
  const lookup = buildLookup(m as MatchMethod, [{ key: name, value: '' }], true)
  return {
    run: (t) => {
      const h = t.head
      for (let k = h.lnames.length - 1; k >= 0; k--) {
        if (lookup(h.lnames[k]) !== undefined) { h.names.splice(k, 1); h.lnames.splice(k, 1); h.values.splice(k, 1) }
      }
      return CONTINUE
    },
    next: i + 3
  }
}

/** Value produced by <replace> (with \0..\9 taken from <m>), as HAProxy's
 *  exp_replace: the whole value becomes the replacement. */
function expand (replace: string, m: RegExpExecArray): string {
  return replace.replace(/\\(\d)/g, (_all, d: string) => m[Number(d)] ?? '')
}

/** replace-header (whole lines) / replace-value (each comma-separated value). */
const replaceAction = (perValue: boolean, keyword: string): ActionParser => (words, i, _p, cc) => {
  const what = 'a header name, a regex and a replacement'
  const lname = arg(words, i, what, keyword).toLowerCase()
  let re: RegExp
  try { re = new RegExp(arg(words, i + 1, what, keyword)) } catch (err) { throw new RulesError(`'${keyword}' : invalid regex: ${(err as Error).message}`) }
  const replace = template(arg(words, i + 2, what, keyword), cc)
  const one = (v: string, fmt: string): string => { const m = re.exec(v); return m === null ? v : expand(fmt, m) }
  return {
    run: (t) => {
      const h: HttpHead = t.head
      let fmt: string | null = null
      for (let k = 0; k < h.lnames.length; k++) {
        if (h.lnames[k] !== lname) continue
        fmt ??= replace(t)
        const f = fmt
        h.values[k] = perValue ? h.values[k].split(',').map(v => { const x = v.trim(); return v.replace(x, one(x, f)) }).join(',') : one(h.values[k], f)
      }
      return CONTINUE
    },
    next: i + 3
  }
}

export const HEADER_ACTIONS: Readonly<Record<string, ActionParser>> = {
  'set-header': writeHeader(setHeader, 'set-header'),
  'add-header': writeHeader(addHeader, 'add-header'),
  'del-header': delHeaderAction,
  'replace-header': replaceAction(false, 'replace-header'),
  'replace-value': replaceAction(true, 'replace-value')
}

