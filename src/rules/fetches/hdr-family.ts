import type { StreamView } from '../../core/stream-view.ts'
import type { HttpHead } from '../../core/http-head.ts'
import type { EachFn, FetchDef, Sample, SampleFn } from '../sample.ts'
import { leadingInt } from '../sample.ts'
import { parseIp } from '../ip.ts'
import { someHeaderValue, someHeaderLine, headerValueAt, headerLineAt, countHeaderValues, countHeaderLines, someCookie } from './headers.ts'

type Side = (s: StreamView) => HttpHead | null
const NAME_OCC = [{ kind: 'str', optional: true }, { kind: 'int', optional: true }] as const
const NAME = [{ kind: 'str', optional: true }] as const

/** Occurrence argument: absent = last (-1), as HAProxy uses outside ACLs. */
function occOf (args: readonly string[]): number { return args[1] === undefined ? -1 : leadingInt(args[1]) }
function lnameOf (args: readonly string[]): string { return (args[0] ?? '').toLowerCase() }

/** In ACLs a header fetch without occurrence tries every value. */
function eachOf (side: Side, some: typeof someHeaderValue, map?: (v: string) => Sample | undefined) {
  return (args: readonly string[]): EachFn | null => {
    if (args[1] !== undefined) return null
    const lname = lnameOf(args)
    return (s, visit) => {
      const h = side(s)
      if (h === null) return false
      return some(h, lname, map === undefined ? v => visit(v, s) : v => { const m = map(v); return m !== undefined && visit(m, s) })
    }
  }
}

function at (side: Side, pick: typeof headerValueAt, map?: (v: string) => Sample | undefined) {
  return (args: readonly string[]): SampleFn => {
    const lname = lnameOf(args)
    const occ = occOf(args)
    if (map === undefined) return s => { const h = side(s); return h === null ? undefined : pick(h, lname, occ) }
    return s => { const h = side(s); const v = h === null ? undefined : pick(h, lname, occ); return v === undefined ? undefined : map(v) }
  }
}

function count (side: Side, counter: typeof countHeaderValues) {
  return (args: readonly string[]): SampleFn => {
    const lname = lnameOf(args)
    return s => { const h = side(s); return h === null ? undefined : counter(h, lname) }
  }
}

const ipOrNone = (v: string): Sample | undefined => parseIp(v) === null ? undefined : v

/** hdr/fhdr/hdr_cnt/fhdr_cnt/hdr_val/hdr_ip/hdrs/cook/cook_cnt/cook_val for one
 *  side of the exchange; the caller names them (req.hdr, shdr, ...). */
export function headerFamily (side: Side, response: boolean, use: number) {
  const cookieEach = (args: readonly string[]): EachFn => {
    const name = args[0] ?? ''
    return (s, visit) => { const h = side(s); return h !== null && someCookie(h, response, name, v => visit(v, s)) }
  }
  const cookieLast = (map: (v: string) => Sample) => (args: readonly string[]): SampleFn => {
    const name = args[0] ?? ''
    return s => {
      const h = side(s)
      if (h === null) return undefined
      let last: string | undefined
      someCookie(h, response, name, v => { last = v; return false })
      return last === undefined ? undefined : map(last)
    }
  }
  const hdrs: FetchDef = {
    args: [], out: 'str', use,
    compile: () => s => {
      const h = side(s)
      if (h === null) return undefined
      let out = ''
      for (let i = 0; i < h.names.length; i++) out += h.names[i] + ': ' + h.values[i] + '\r\n'
      return out + '\r\n'
    }
  }
  return {
    hdr: { args: NAME_OCC, out: 'str', use, compile: at(side, headerValueAt), compileEach: eachOf(side, someHeaderValue) } satisfies FetchDef,
    fhdr: { args: NAME_OCC, out: 'str', use, compile: at(side, headerLineAt), compileEach: eachOf(side, someHeaderLine) } satisfies FetchDef,
    hdr_cnt: { args: NAME, out: 'int', use, compile: count(side, countHeaderValues) } satisfies FetchDef,
    fhdr_cnt: { args: NAME, out: 'int', use, compile: count(side, countHeaderLines) } satisfies FetchDef,
    hdr_val: { args: NAME_OCC, out: 'int', use, compile: at(side, headerValueAt, leadingInt), compileEach: eachOf(side, someHeaderValue, leadingInt) } satisfies FetchDef,
    hdr_ip: { args: NAME_OCC, out: 'ip', use, compile: at(side, headerValueAt, ipOrNone), compileEach: eachOf(side, someHeaderValue, ipOrNone) } satisfies FetchDef,
    hdrs,
    cook: { args: NAME, out: 'str', use, compile: cookieLast(v => v), compileEach: cookieEach } satisfies FetchDef,
    cook_val: { args: NAME, out: 'int', use, compile: cookieLast(leadingInt) } satisfies FetchDef,
    cook_cnt: {
      args: NAME, out: 'int', use,
      compile: (args) => {
        const name = args[0] ?? ''
        return s => { const h = side(s); let n = 0; if (h !== null) someCookie(h, response, name, () => { n++; return false }); return n }
      }
    } satisfies FetchDef
  }
}
