import type { CheckStep } from '../../config/plan.ts'
import type { CheckStatusCode } from '../types.ts'

/** `http-check expect` rules compiled once (HAProxy tcpcheck_eval_expect_http). */

export interface HttpResponse {
  readonly status: number
  readonly reason: string
  /** header lines as received, names lower-cased */
  readonly headers: readonly (readonly [string, string])[]
  /** null when the response had no body bytes */
  readonly body: Buffer | null
}

export interface HttpExpectFailure { readonly status: CheckStatusCode; readonly info: string }

export interface HttpExpect {
  /** true when the rule looks at the body (the whole response must be read) */
  readonly needsBody: boolean
  /** null = passed */
  judge (res: HttpResponse): HttpExpectFailure | null
}

type ExpectStep = Extract<CheckStep, { t: 'expect' }>

/** "200", "200-399", "200,301-302" → [low, high] ranges */
function parseCodes (list: string): [number, number][] {
  return list.split(',').map(part => {
    const [lo, hi] = part.split('-')
    const low = Number(lo)
    const high = hi === undefined ? low : Number(hi)
    if (!Number.isInteger(low) || !Number.isInteger(high)) throw new Error(`bad status code list "${list}"`)
    return [low, high]
  })
}

type TextMatch = (value: string) => boolean

function textMatcher (method: string, pattern: string): TextMatch {
  switch (method) {
    case 'str': return v => v === pattern
    case 'beg': return v => v.startsWith(pattern)
    case 'end': return v => v.endsWith(pattern)
    case 'sub': return v => v.includes(pattern)
    case 'reg': { const re = new RegExp(pattern); return v => re.test(v) }
    default: throw new Error(`unknown match method "-m ${method}"`)
  }
}

/** Reads "name [-m meth] <name> [value [-m meth] <value>]" (the words after
 *  `expect hdr`, as written). */
function parseHdrPattern (pattern: string): { name: TextMatch; value: TextMatch | null } {
  const words = pattern.trim().split(/\s+/)
  let i = 0
  const take = (): { meth: string; text: string } => {
    let meth = 'str'
    if (words[i] === '-m') { meth = words[i + 1] ?? ''; i += 2 }
    const text = words[i++]
    if (text === undefined) throw new Error(`incomplete "expect hdr ${pattern}"`)
    return { meth, text }
  }
  if (words[i] !== 'name') throw new Error(`"expect hdr" needs "name <pattern>", got "${pattern}"`)
  i++
  const n = take()
  const name = textMatcher(n.meth, n.text.toLowerCase())
  if (words[i] !== 'value') return { name, value: null }
  i++
  const v = take()
  return { name, value: textMatcher(v.meth, v.text) }
}

export function compileHttpExpect (step: ExpectStep): HttpExpect {
  const negate = step.negate
  const verdict = (matched: boolean, failure: HttpExpectFailure): HttpExpectFailure | null =>
    matched !== negate ? null : failure
  const wrongStatus = (res: HttpResponse): HttpExpectFailure => ({ status: 'L7STS', info: res.reason })
  switch (step.what) {
    case 'status': {
      const ranges = parseCodes(step.pattern)
      return {
        needsBody: false,
        judge: res => verdict(ranges.some(([lo, hi]) => res.status >= lo && res.status <= hi), wrongStatus(res))
      }
    }
    case 'rstatus': {
      const re = new RegExp(step.pattern)
      return { needsBody: false, judge: res => verdict(re.test(String(res.status)), wrongStatus(res)) }
    }
    case 'hdr':
    case 'fhdr': {
      const { name, value } = parseHdrPattern(step.pattern)
      const full = step.what === 'fhdr'
      const found = (res: HttpResponse): boolean => res.headers.some(([n, v]) => {
        if (!name(n)) return false
        if (value === null) return true
        const values = full ? [v] : v.split(',').map(x => x.trim())
        return values.some(value)
      })
      return { needsBody: false, judge: res => verdict(found(res), wrongStatus(res)) }
    }
    case 'string':
    case 'rstring': {
      const re = step.what === 'rstring' ? new RegExp(step.pattern) : null
      const needle = step.pattern
      const failure: HttpExpectFailure = {
        status: 'L7RSP',
        info: negate ? 'HTTP check matched unwanted content' : 'HTTP content check did not match'
      }
      return {
        needsBody: true,
        judge: res => {
          if (res.body === null) return { status: 'L7RSP', info: 'HTTP content check could not find a response body' }
          const text = res.body.toString('latin1')
          return verdict(re !== null ? re.test(text) : text.includes(needle), failure)
        }
      }
    }
    default:
      throw new Error(`"http-check expect ${step.what}" is not an HTTP expectation`)
  }
}

/** Without any `http-check expect`: a 2xx or 3xx status passes. */
export const defaultHttpExpect: HttpExpect = {
  needsBody: false,
  judge: res => res.status >= 200 && res.status < 400 ? null : { status: 'L7STS', info: res.reason }
}
