import type { StreamView } from '../../core/stream-view.ts'
import { requestPath, requestQuery } from '../../core/http-head.ts'
import type { FetchDef, SampleFn } from '../sample.ts'
import { headerFamily } from './hdr-family.ts'
import { headerLineAt } from './headers.ts'
import { USE_REQ } from './use.ts'

/** Request fetches (HAProxy http_fetch.c, request side). */
const req = (s: StreamView) => s.req
const H = headerFamily(req, false, USE_REQ)

const fromReq = (get: (uri: string, s: StreamView) => string | undefined): FetchDef => ({
  args: [], out: 'str', use: USE_REQ,
  compile: () => s => s.req === null ? undefined : get(s.req.uri, s)
})

const pathOf = (uri: string): string | undefined => { const p = requestPath(uri); return p === '' ? undefined : p }

/** Value of query parameter <name> (first occurrence); params split on <delim>. */
function urlParam (args: readonly string[]): SampleFn {
  const name = args[0] ?? ''
  const delim = args[1] === undefined || args[1] === '' ? '&' : args[1]
  return (s) => {
    if (s.req === null) return undefined
    const q = requestQuery(s.req.uri)
    if (q === undefined) return undefined
    let start = 0
    while (start <= q.length) {
      let end = q.indexOf(delim, start)
      if (end < 0) end = q.length
      const eq = q.indexOf('=', start)
      const keyEnd = eq >= 0 && eq < end ? eq : end
      if (name === '' || q.slice(start, keyEnd) === name) return keyEnd === end ? '' : q.slice(keyEnd + 1, end)
      start = end + delim.length
    }
    return undefined
  }
}

const version: FetchDef = {
  args: [], out: 'str', use: USE_REQ,
  compile: () => s => s.req === null ? undefined : s.req.version.replace(/^HTTP\//, '')
}

const urlp: FetchDef = { args: [{ kind: 'str', optional: true }, { kind: 'str', optional: true }], out: 'str', use: USE_REQ, compile: urlParam }

export const HTTP_REQ_FETCHES: Readonly<Record<string, FetchDef>> = {
  method: { args: [], out: 'meth', use: USE_REQ, compile: () => s => s.req?.method },
  path: fromReq(pathOf),
  pathq: fromReq(uri => { const p = pathOf(uri); if (p === undefined) return undefined; const q = requestQuery(uri); return q === undefined ? p : p + '?' + q }),
  query: fromReq(requestQuery),
  url: fromReq(uri => uri),
  'req.uri': { ...fromReq(uri => uri), extension: "'req.uri' is not in HAProxy 2.6, use 'url'" },
  base: fromReq((uri, s) => {
    const p = pathOf(uri) ?? ''
    const host = s.req === null ? undefined : headerLineAt(s.req, 'host', 1)
    return host === undefined || host === '' ? p : host + p
  }),
  'req.ver': version,
  req_ver: version,
  url_param: urlp,
  urlp,
  hdr: H.hdr,
  'req.hdr': H.hdr,
  'req.fhdr': H.fhdr,
  hdr_cnt: H.hdr_cnt,
  'req.hdr_cnt': H.hdr_cnt,
  'req.fhdr_cnt': H.fhdr_cnt,
  hdr_val: H.hdr_val,
  'req.hdr_val': H.hdr_val,
  hdr_ip: H.hdr_ip,
  'req.hdr_ip': H.hdr_ip,
  'req.hdrs': H.hdrs,
  cook: H.cook,
  cookie: H.cook,
  'req.cook': H.cook,
  cook_cnt: H.cook_cnt,
  'req.cook_cnt': H.cook_cnt,
  cook_val: H.cook_val,
  'req.cook_val': H.cook_val
}
