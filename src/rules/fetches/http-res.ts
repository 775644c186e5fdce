import type { StreamView } from '../../core/stream-view.ts'
import type { FetchDef } from '../sample.ts'
import { headerFamily } from './hdr-family.ts'
import { USE_RES } from './use.ts'

/** Response fetches (HAProxy http_fetch.c, response side). */
const H = headerFamily((s: StreamView) => s.res, true, USE_RES)

const version: FetchDef = {
  args: [], out: 'str', use: USE_RES,
  compile: () => s => s.res === null ? undefined : s.res.version.replace(/^HTTP\//, '')
}

export const HTTP_RES_FETCHES: Readonly<Record<string, FetchDef>> = {
  status: { args: [], out: 'int', use: USE_RES, compile: () => s => s.res === null ? undefined : s.res.status },
  'res.ver': version,
  resp_ver: version,
  'res.hdr': H.hdr,
  shdr: H.hdr,
  'res.fhdr': H.fhdr,
  'res.hdr_cnt': H.hdr_cnt,
  shdr_cnt: H.hdr_cnt,
  'res.fhdr_cnt': H.fhdr_cnt,
  'res.hdr_val': H.hdr_val,
  shdr_val: H.hdr_val,
  'res.hdr_ip': H.hdr_ip,
  shdr_ip: H.hdr_ip,
  'res.hdrs': H.hdrs,
  'res.cook': H.cook,
  scook: H.cook,
  'res.cook_cnt': H.cook_cnt,
  scook_cnt: H.cook_cnt,
  'res.cook_val': H.cook_val,
  scook_val: H.cook_val
}
