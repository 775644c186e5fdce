/** The %-variables of HAProxy 2.6 log-format, as an explicit table: alias name
 *  → factory that, at config time, returns the field writer specialised for
 *  the node's flags. Writers read a LogRecord and return the field text
 *  ("" = nothing written). Behaviour checked against haproxy 2.6.12:
 *  text fields honour +Q (quotes, absent = "") and +E, absent text is "-";
 *  numbers are never quoted; +X gives hex only for the address, port, %Ts,
 *  %ms, %pid, %rt and %lc fields; %r/%H* use the url encoding, %hr/%hs the
 *  header encoding ("#XX"). */
import type { LogRecord } from './types.ts'
import type { StreamView } from '../core/stream-view.ts'
import { LogOpt } from './format-parse.ts'
import { HDR_MAP, URL_MAP, backslashEscape, hashEncode, ipHex } from './escape.ts'
import { gmtDate, localDate, logDate, millisText } from './dates.ts'

export type FieldWriter = (rec: LogRecord, view: StreamView | undefined) => string

/** What the writers may need beyond the record, fixed at config time */
export interface FieldEnv {
  readonly hostname: string
  readonly pid: number
  readonly mode: 'http' | 'tcp'
}

type FieldFactory = (opts: number, env: FieldEnv) => FieldWriter

/** A text field: absent ('' ) → "-", or "" quoted; +E escapes; +Q quotes. */
export function textWriter (get: (rec: LogRecord) => string, opts: number): FieldWriter {
  const quote = (opts & LogOpt.quote) !== 0
  const esc = (opts & LogOpt.escape) !== 0
  if (quote) return rec => { const v = get(rec); return v === '' ? '""' : '"' + (esc ? backslashEscape(v) : v) + '"' }
  if (esc) return rec => { const v = get(rec); return v === '' ? '-' : backslashEscape(v) }
  return rec => { const v = get(rec); return v === '' ? '-' : v }
}

/** Encoded text that is never "-" (%r, %H*): only +Q applies. */
function encodedWriter (get: (rec: LogRecord) => string, opts: number): FieldWriter {
  if (opts & LogOpt.quote) return rec => '"' + hashEncode(get(rec), URL_MAP) + '"'
  return rec => hashEncode(get(rec), URL_MAP)
}

function intWriter (get: (rec: LogRecord) => number): FieldFactory {
  return () => rec => String(get(rec))
}

/** Integer with HAProxy's "%0<width>X" form under +X */
function hexableInt (get: (rec: LogRecord, env: FieldEnv) => number, width: number): FieldFactory {
  return (opts, env) => (opts & LogOpt.hex)
    ? rec => get(rec, env).toString(16).toUpperCase().padStart(width, '0')
    : rec => String(get(rec, env))
}

function ipField (get: (rec: LogRecord) => string): FieldFactory {
  return opts => (opts & LogOpt.hex) ? rec => { const ip = get(rec); return ip === '' ? '-' : ipHex(ip) } : textWriter(get, opts)
}

/** Port of an address that may be absent (<ip> empty) */
function portField (ip: (rec: LogRecord) => string, port: (rec: LogRecord) => number): FieldFactory {
  return opts => {
    const hex = (opts & LogOpt.hex) !== 0
    return rec => ip(rec) === '' ? '-' : hex ? port(rec).toString(16).toUpperCase().padStart(4, '0') : String(port(rec))
  }
}

/** "{a|b}" of captures, or nothing when none are configured */
function capturesBlock (get: (rec: LogRecord) => string[]): FieldFactory {
  return opts => {
    const quote = (opts & LogOpt.quote) !== 0
    return rec => {
      const caps = get(rec)
      if (caps.length === 0) return ''
      let out = quote ? '"{' : '{'
      for (let i = 0; i < caps.length; i++) out += (i ? '|' : '') + hashEncode(caps[i], HDR_MAP)
      return out + (quote ? '}"' : '}')
    }
  }
}

/** Space-separated captures (%hrl %hsl), "-" (or "") for an empty one */
function capturesList (get: (rec: LogRecord) => string[]): FieldFactory {
  return opts => {
    const quote = (opts & LogOpt.quote) !== 0
    return rec => {
      const caps = get(rec)
      let out = ''
      for (let i = 0; i < caps.length; i++) {
        const v = hashEncode(caps[i], HDR_MAP)
        out += (i ? ' ' : '') + (quote ? '"' + v + '"' : v === '' ? '-' : v)
      }
      return out
    }
  }
}

// Parts of the request line, the way HAProxy cuts txn->uri (spaces/tabs separate).
const BADREQ = '<BADREQ>'
function isSp (c: number): boolean { return c === 32 || c === 9 }
/** index of the first char of the URI, or -1 when the line has no space */
function uriStart (line: string): number {
  let i = 0
  while (i < line.length && !isSp(line.charCodeAt(i))) i++
  if (i === line.length) return -1
  while (i < line.length && isSp(line.charCodeAt(i))) i++
  return i
}
function uriEnd (line: string, from: number, stopAtQuery: boolean): number {
  let i = from
  while (i < line.length && !isSp(line.charCodeAt(i)) && !(stopAtQuery && line.charCodeAt(i) === 63)) i++
  return i
}
function reqMethod (rec: LogRecord): string {
  const line = rec.requestLine
  let i = 0
  while (i < line.length && !isSp(line.charCodeAt(i))) i++
  return i === line.length ? BADREQ : line.slice(0, i)
}
function reqUri (rec: LogRecord): string {
  const s = uriStart(rec.requestLine)
  return s < 0 ? BADREQ : rec.requestLine.slice(s, uriEnd(rec.requestLine, s, false))
}
function reqPath (rec: LogRecord): string {
  const s = uriStart(rec.requestLine)
  return s < 0 ? BADREQ : rec.requestLine.slice(s, uriEnd(rec.requestLine, s, true))
}
/** %HPO: path without scheme/authority and without the query */
function reqPathOnly (rec: LogRecord): string {
  let p = reqPath(rec)
  if (p === BADREQ || p[0] === '/') return p
  const scheme = p.indexOf('://')
  if (scheme < 0) return p === '*' ? '' : p
  const slash = p.indexOf('/', scheme + 3)
  p = slash < 0 ? '' : p.slice(slash)
  return p
}
function reqQuery (rec: LogRecord): string {
  const line = rec.requestLine
  if (line === BADREQ) return BADREQ
  const q = line.indexOf('?')
  return q < 0 ? '' : line.slice(q, uriEnd(line, q, false))
}
function reqVersion (rec: LogRecord): string {
  const line = rec.requestLine
  const s = uriStart(line)
  if (s < 0) return BADREQ
  let i = uriEnd(line, s, false)
  while (i < line.length && isSp(line.charCodeAt(i))) i++
  return i === line.length ? 'HTTP/0.9' : line.slice(i)
}

/** %Tq = Th + Ti + TR, -1 when the request never completed */
function tq (r: LogRecord): number { return r.TR < 0 ? -1 : Math.max(r.Th, 0) + Math.max(r.Ti, 0) + r.TR }

function cookie (v: string): string { return v === '-' ? '' : v }

export const FIELDS: ReadonlyMap<string, FieldFactory> = new Map<string, FieldFactory>([
  ['ci', ipField(r => r.clientIp)],
  ['cp', portField(r => r.clientIp, r => r.clientPort)],
  ['fi', ipField(r => r.frontendIp)],
  ['fp', portField(r => r.frontendIp, r => r.frontendPort)],
  ['si', ipField(r => r.serverIp)],
  ['sp', portField(r => r.serverIp, r => r.serverPort)],
  ['bi', ipField(r => r.beSrcIp ?? '')],
  ['bp', portField(r => r.beSrcIp ?? '', r => r.beSrcPort ?? 0)],
  ['t', () => r => logDate(r.acceptDate)],
  ['tr', () => r => logDate(r.requestDate)],
  ['T', () => r => gmtDate(r.acceptDate)],
  ['trg', () => r => gmtDate(r.requestDate)],
  ['Tl', () => r => localDate(r.acceptDate)],
  ['trl', () => r => localDate(r.requestDate)],
  ['Ts', hexableInt(r => Math.floor(r.acceptDate / 1000), 4)],
  ['ms', opts => (opts & LogOpt.hex)
    ? r => Math.floor(r.acceptDate % 1000).toString(16).toUpperCase().padStart(2, '0')
    : r => millisText(r.acceptDate)],
  ['f', opts => textWriter(r => r.feName, opts)],
  ['ft', opts => {
    const esc = (opts & LogOpt.escape) !== 0
    const q = (opts & LogOpt.quote) ? '"' : ''
    return r => q + (esc ? backslashEscape(r.feName) : r.feName) + (r.feSsl ? '~' : '') + q
  }],
  ['b', opts => textWriter(r => r.beName, opts)],
  ['s', opts => textWriter(r => r.srvName, opts)],
  ['Th', intWriter(r => r.Th)],
  ['Ti', intWriter(r => r.Ti)],
  ['TR', intWriter(r => r.TR)],
  ['Tq', intWriter(tq)],
  ['Tw', intWriter(r => r.Tw)],
  ['Tc', intWriter(r => r.Tc)],
  ['Tr', intWriter(r => r.Tr)],
  ['Ta', intWriter(r => r.Ta)],
  ['Tt', intWriter(r => r.Tt)],
  ['Tu', intWriter(r => r.Tt - Math.max(r.Ti, 0))],
  ['Td', (_opts, env) => env.mode === 'http'
    ? r => String(r.Tr < 0 ? -1 : r.Tt - tq(r) - r.Tw - r.Tc - r.Tr)
    : r => String(r.Tc < 0 ? -1 : r.Tt - Math.max(r.Th, 0) - r.Tw - r.Tc)],
  ['ST', intWriter(r => r.status)],
  ['B', intWriter(r => r.bytesOut)],
  ['U', intWriter(r => r.bytesIn)],
  ['CC', opts => textWriter(r => cookie(r.capturedReqCookie), opts)],
  ['CS', opts => textWriter(r => cookie(r.capturedResCookie), opts)],
  ['ts', () => r => r.termState.slice(0, 2)],
  ['tsc', () => r => r.termState],
  ['ac', intWriter(r => r.actconn)],
  ['fc', intWriter(r => r.feconn)],
  ['bc', intWriter(r => r.beconn)],
  ['sc', intWriter(r => r.srvconn)],
  ['rc', () => r => (r.redispatched ? '+' : '') + r.retries],
  ['sq', intWriter(r => r.srvQueue)],
  ['bq', intWriter(r => r.beQueue)],
  ['hr', capturesBlock(r => r.reqCaptures)],
  ['hs', capturesBlock(r => r.resCaptures)],
  ['hrl', capturesList(r => r.reqCaptures)],
  ['hsl', capturesList(r => r.resCaptures)],
  ['r', opts => encodedWriter(r => r.requestLine, opts)],
  ['HM', opts => encodedWriter(reqMethod, opts)],
  ['HU', opts => encodedWriter(reqUri, opts)],
  ['HP', opts => encodedWriter(reqPath, opts)],
  ['HPO', opts => encodedWriter(reqPathOnly, opts)],
  ['HQ', opts => encodedWriter(reqQuery, opts)],
  ['HV', opts => encodedWriter(reqVersion, opts)],
  ['ID', opts => textWriter(r => r.uniqueId, opts)],
  ['rt', hexableInt(r => r.requestCounter ?? 0, 4)],
  ['lc', hexableInt(r => r.logCounter ?? 0, 4)],
  ['pid', hexableInt((_r, env) => env.pid, 4)],
  ['H', (opts, env) => textWriter(() => env.hostname, opts)]
])
