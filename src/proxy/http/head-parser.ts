import type { HttpHead } from '../../core/http-head.ts'

/** Incremental HTTP/1.x head reader and validator.
 *
 *  Contract: bytes are fed as they arrive; the head ends at the first empty
 *  line. Leading empty lines are skipped (RFC 9112 §2.2, as HAProxy). A head
 *  longer than <maxHead> or with more than <maxHdr> header fields is an error
 *  (HAProxy answers 400 when the request does not fit its buffer). The parsed
 *  result goes into a caller-owned HttpHead; framing facts go into HeadMeta.
 *  Errors are reported as a status code (400 for requests, 502 for responses)
 *  plus a short reason for the debug log. */

export const BodyKind = { None: 0, Length: 1, Chunked: 2, UntilClose: 3 } as const
export type BodyKindT = typeof BodyKind[keyof typeof BodyKind]

export class HeadMeta {
  bodyKind: BodyKindT = BodyKind.None
  contentLength = 0
  /** Connection tokens seen (lower-cased) */
  connClose = false
  connKeepAlive = false
  connUpgrade = false
  /** the head had an Upgrade header */
  upgrade = ''
  /** Sec-WebSocket-Key (request) or Sec-WebSocket-Accept (response) was present */
  wsProof = false
  expectContinue = false
  /** HTTP/1.1 or later */
  v11 = true
  /** a Content-Length or Transfer-Encoding field framed the body */
  sawLength = false
  error = ''
  reset (): void {
    this.sawLength = false
    this.bodyKind = BodyKind.None; this.contentLength = 0; this.connClose = false; this.connKeepAlive = false
    this.connUpgrade = false; this.upgrade = ''; this.wsProof = false; this.expectContinue = false; this.v11 = true; this.error = ''
  }
}

const TOKEN = new Uint8Array(256)
for (const c of "!#$%&'*+-.^_`|~") TOKEN[c.charCodeAt(0)] = 1
for (let c = 48; c <= 57; c++) TOKEN[c] = 1
for (let c = 65; c <= 90; c++) TOKEN[c] = 1
for (let c = 97; c <= 122; c++) TOKEN[c] = 1

/** Index just past the end of the head (after the empty line) within <buf>
 *  starting at <from>, or -1 if the head is not complete yet. Accepts bare LF. */
export function findHeadEnd (buf: Buffer, from: number): number {
  let i = buf.indexOf(10, from)
  while (i >= 0) {
    // an empty line is LF followed by LF or CRLF
    const n = buf[i + 1]
    if (n === 10) return i + 2
    if (n === 13 && buf[i + 2] === 10) return i + 3
    if (n === undefined || (n === 13 && buf[i + 2] === undefined)) return -1
    i = buf.indexOf(10, i + 1)
  }
  return -1
}

/** True when the bytes received so far cannot begin a request line (a byte
 *  outside the method token before the first space, e.g. a TLS hello on a
 *  plain port): HAProxy answers 400 without waiting for a line end. */
export function impossibleRequestStart (buf: Buffer): boolean {
  for (let i = 0; i < buf.length; i++) {
    const c = buf[i]
    if (c === 32) return i === 0
    if (TOKEN[c] !== 1) return true
  }
  return false
}

/** Number of leading CR/LF bytes (empty lines before a request). */
export function skipLeadingEmptyLines (buf: Buffer): number {
  let i = 0
  while (i < buf.length && (buf[i] === 13 || buf[i] === 10)) i++
  return i
}

function lineEnd (buf: Buffer, pos: number, end: number): number {
  const lf = buf.indexOf(10, pos)
  return lf < 0 || lf >= end ? end : lf
}

function trimEnd (buf: Buffer, a: number, b: number): number {
  while (b > a && (buf[b - 1] === 13 || buf[b - 1] === 32 || buf[b - 1] === 9)) b--
  return b
}

/** Parses header fields from <pos> to <end> (the head's last byte). Returns an
 *  error text or "" on success. obs-fold continuation lines are merged into
 *  the previous value with spaces, as HAProxy does. <text> is buf[0, end) as
 *  latin1: names and values are slices of it (one native call per head, not two per field). */
function parseFields (buf: Buffer, text: string, pos: number, end: number, head: HttpHead, maxHdr: number): string {
  while (pos < end) {
    const le = lineEnd(buf, pos, end)
    const lineStop = trimEnd(buf, pos, le)
    if (lineStop === pos && (buf[pos] === 13 || buf[pos] === 10 || pos === le)) { pos = le + 1; continue }
    const c0 = buf[pos]
    if (c0 === 32 || c0 === 9) {
      // obs-fold: continuation of the previous field value
      const last = head.values.length - 1
      if (last < 0) return 'folded line without a header'
      let a = pos
      while (a < lineStop && (buf[a] === 32 || buf[a] === 9)) a++
      const extra = text.slice(a, lineStop)
      head.values[last] = head.values[last] + '   ' + extra
      if (!validValue(head.values[last])) return 'forbidden character in header value'
      pos = le + 1; continue
    }
    let i = pos
    while (i < lineStop && TOKEN[buf[i]] === 1) i++
    if (i === pos) return 'empty or invalid header name'
    if (buf[i] !== 58 /* : */) return 'invalid character in header name'
    if (head.names.length >= maxHdr) return 'too many headers'
    let v = i + 1
    while (v < lineStop && (buf[v] === 32 || buf[v] === 9)) v++
    const name = text.slice(pos, i)
    const value = text.slice(v, lineStop)
    if (!validValue(value)) return 'forbidden character in header value'
    head.names.push(name)
    head.lnames.push(name.toLowerCase())
    head.values.push(value)
    pos = le + 1
  }
  return ''
}

/** NUL and control characters other than HTAB are refused in values.
 *  WHY: HAProxy 2.6 forwards some of them; we are stricter on purpose
 *  (request smuggling through lax back ends). Listed in the README. */
function validValue (v: string): boolean {
  for (let i = 0; i < v.length; i++) {
    const c = v.charCodeAt(i)
    if ((c < 32 && c !== 9) || c === 127) return false
  }
  return true
}

/** Parses a request head occupying buf[0, end). Fills <head> and <meta>.
 *  Returns 0 on success or the HTTP status to answer (400). */
export function parseRequestHead (buf: Buffer, end: number, head: HttpHead, meta: HeadMeta, maxHdr: number): number {
  const le = lineEnd(buf, 0, end)
  const stop = trimEnd(buf, 0, le)
  const text = buf.toString('latin1', 0, end)
  // METHOD SP request-target SP HTTP-version
  let i = 0
  while (i < stop && TOKEN[buf[i]] === 1) i++
  if (i === 0 || buf[i] !== 32) { meta.error = 'invalid method'; return 400 }
  head.method = text.slice(0, i)
  const u = i + 1
  let j = u
  while (j < stop) {
    const c = buf[j]
    if (c === 32) break
    if (c <= 32 || c >= 127 || c === 35 /* # */) { meta.error = 'invalid character in URI'; return 400 }
    j++
  }
  if (j === u || j >= stop) { meta.error = 'missing URI or version'; return 400 }
  head.uri = text.slice(u, j)
  const vs = j + 1
  if (stop - vs !== 8 || buf[vs] !== 72 || !text.startsWith('HTTP/', vs) ||
      !isDigit(buf[vs + 5]) || buf[vs + 6] !== 46 || !isDigit(buf[vs + 7])) { meta.error = 'invalid version'; return 400 }
  head.version = text.slice(vs, stop)
  meta.v11 = head.version !== 'HTTP/1.0' && buf[vs + 5] >= 49
  const err = parseFields(buf, text, le + 1, end, head, maxHdr)
  if (err !== '') { meta.error = err; return 400 }
  const st = analyseFraming(head, meta, true)
  if (st !== 0) return st
  if (isWebsocketUpgrade(meta) && !meta.wsProof) { meta.error = 'websocket upgrade without sec-websocket-key'; return 400 }
  return checkHost(head, meta)
}

/** Connection: upgrade with "websocket" among the Upgrade protocols (any case): HAProxy
 *  then requires the handshake's key in the request and its accept in a 101 answer. */
export function isWebsocketUpgrade (meta: HeadMeta): boolean {
  if (!meta.connUpgrade || meta.upgrade === '') return false
  for (const p of meta.upgrade.split(',')) if (p.trim().toLowerCase() === 'websocket') return true
  return false
}

function isDigit (c: number | undefined): boolean { return c !== undefined && c >= 48 && c <= 57 }

/** Parses a response head occupying buf[0, end). Returns 0 or 502. */
export function parseResponseHead (buf: Buffer, end: number, head: HttpHead, meta: HeadMeta, maxHdr: number, reqMethod: string): number {
  const le = lineEnd(buf, 0, end)
  const stop = trimEnd(buf, 0, le)
  const text = buf.toString('latin1', 0, end)
  if (stop < 12 || !text.startsWith('HTTP/') || buf[8] !== 32 ||
      !isDigit(buf[5]) || buf[6] !== 46 || !isDigit(buf[7]) ||
      !isDigit(buf[9]) || !isDigit(buf[10]) || !isDigit(buf[11]) || (stop > 12 && buf[12] !== 32)) {
    meta.error = 'invalid status line'; return 502
  }
  head.version = text.slice(0, 8)
  meta.v11 = head.version !== 'HTTP/1.0' && buf[5] >= 49
  head.status = (buf[9] - 48) * 100 + (buf[10] - 48) * 10 + (buf[11] - 48)
  head.reason = stop > 13 ? text.slice(13, stop) : ''
  const err = parseFields(buf, text, le + 1, end, head, maxHdr)
  if (err !== '') { meta.error = err; return 502 }
  const st = analyseFraming(head, meta, false)
  if (st !== 0) return 502
  const s = head.status
  if (s === 101 && isWebsocketUpgrade(meta) && !meta.wsProof) { meta.error = 'websocket 101 without sec-websocket-accept'; return 502 }
  if (reqMethod === 'HEAD' || s === 204 || s === 304 || (s >= 100 && s < 200)) {
    meta.bodyKind = BodyKind.None
  } else if (meta.bodyKind === BodyKind.None && !meta.sawLength) {
    meta.bodyKind = BodyKind.UntilClose
  }
  return 0
}

/** Derives body framing and connection facts from the fields; removes a
 *  Content-Length made redundant by Transfer-Encoding (RFC 9112 §6.3) and
 *  collapses a repeated identical Content-Length, as HAProxy does. */
function analyseFraming (head: HttpHead, meta: HeadMeta, isReq: boolean): number {
  const bad = isReq ? 400 : 502
  let cl = -1
  let te = 0
  meta.sawLength = false
  for (let k = 0; k < head.lnames.length; k++) {
    const n = head.lnames[k]
    if (n === 'content-length') {
      const v = parseContentLength(head.values[k])
      if (v < 0 || (cl >= 0 && v !== cl)) { meta.error = 'bad content-length'; return bad }
      cl = v
    } else if (n === 'transfer-encoding') {
      const codings = head.values[k].toLowerCase().split(',')
      for (const c of codings) {
        const t = c.trim()
        if (t === '') continue
        if (te === 2) { meta.error = 'chunked is not the last coding'; return bad }
        te = t === 'chunked' ? 2 : 1
      }
    } else if (n === 'connection') {
      for (const tok of head.values[k].toLowerCase().split(',')) {
        const t = tok.trim()
        if (t === 'close') meta.connClose = true
        else if (t === 'keep-alive') meta.connKeepAlive = true
        else if (t === 'upgrade') meta.connUpgrade = true
      }
    } else if (n === 'upgrade') {
      meta.upgrade = head.values[k]
    } else if (n === (isReq ? 'sec-websocket-key' : 'sec-websocket-accept')) {
      meta.wsProof = true
    } else if (isReq && n === 'expect') {
      if (head.values[k].toLowerCase() === '100-continue') meta.expectContinue = true
    }
  }
  if (te !== 0) {
    if (te !== 2) { meta.error = 'transfer-encoding without chunked'; return isReq ? 400 : 502 }
    // a duplicate "chunked" in one field list is refused like HAProxy; a second header too
    let chunkedSeen = 0
    for (let k = 0; k < head.lnames.length; k++) {
      if (head.lnames[k] !== 'transfer-encoding') continue
      for (const c of head.values[k].toLowerCase().split(',')) if (c.trim() === 'chunked') chunkedSeen++
    }
    if (chunkedSeen > 1) { meta.error = 'chunked applied twice'; return bad }
    if (cl >= 0) removeField(head, 'content-length')
    meta.bodyKind = BodyKind.Chunked
    meta.sawLength = true
  } else if (cl >= 0) {
    collapseContentLength(head, cl)
    meta.contentLength = cl
    meta.bodyKind = cl > 0 ? BodyKind.Length : BodyKind.None
    meta.sawLength = true
  }
  return 0
}

/** Content-Length value: digits, or a comma list of identical values; -1 if invalid. */
export function parseContentLength (v: string): number {
  let result = -1
  for (const part of v.split(',')) {
    const t = part.trim()
    if (t.length === 0 || t.length > 15) return -1
    let n = 0
    for (let i = 0; i < t.length; i++) {
      const c = t.charCodeAt(i)
      if (c < 48 || c > 57) return -1
      n = n * 10 + (c - 48)
    }
    if (result >= 0 && n !== result) return -1
    result = n
  }
  return result
}

function removeField (head: HttpHead, lname: string): void {
  for (let k = head.lnames.length - 1; k >= 0; k--) {
    if (head.lnames[k] === lname) { head.names.splice(k, 1); head.lnames.splice(k, 1); head.values.splice(k, 1) }
  }
}

function collapseContentLength (head: HttpHead, cl: number): void {
  let first = -1
  for (let k = head.lnames.length - 1; k >= 0; k--) {
    if (head.lnames[k] !== 'content-length') continue
    if (first >= 0) { head.names.splice(first, 1); head.lnames.splice(first, 1); head.values.splice(first, 1) }
    first = k
  }
  if (first >= 0) head.values[first] = String(cl)
}

/** Host rules: one Host field at most; an absolute-form target's authority must
 *  agree with Host, a CONNECT one (host:port) too (HAProxy answers 400 otherwise). As
 *  HAProxy 2.6's scheme-based normalization, an http/https URI's empty or
 *  default port (80/443) is dropped, from Host too; a CONNECT's Host loses
 *  port 80 or 443 (its request line keeps it). */
function checkHost (head: HttpHead, meta: HeadMeta): number {
  let at = -1
  for (let k = 0; k < head.lnames.length; k++) {
    if (head.lnames[k] !== 'host') continue
    if (at >= 0) { meta.error = 'several Host headers'; return 400 }
    at = k
  }
  const host = at < 0 ? undefined : head.values[at]
  const uri = head.uri
  if (head.method === 'CONNECT') {
    if (!CONNECT_AUTHORITY.test(uri)) { meta.error = 'CONNECT without host:port'; return 400 }
    if (host === undefined) return 0
    const bare = withoutPort(host, '80', '443')
    if (bare.toLowerCase() !== withoutPort(uri, '80', '443').toLowerCase()) { meta.error = 'Host does not match the CONNECT authority'; return 400 }
    if (bare !== host) head.values[at] = bare
    return 0
  }
  if (uri.charCodeAt(0) === 47 || uri === '*') return 0
  const s = uri.indexOf('://')
  if (s <= 0) return 0
  // the authority ends at the path only (HAProxy: "http://a:80?q" has authority "a:80?q")
  let e = s + 3
  while (e < uri.length && uri[e] !== '/') e++
  const authority = uri.slice(s + 3, e)
  const scheme = uri.slice(0, s).toLowerCase()
  const def = scheme === 'http' ? '80' : scheme === 'https' ? '443' : ''
  if (def === '') {
    if (host !== undefined && host.toLowerCase() !== authority.toLowerCase()) { meta.error = 'Host does not match the URI authority'; return 400 }
    return 0
  }
  const bare = withoutPort(authority, def, '')
  if (host !== undefined && withoutPort(host, def, '').toLowerCase() !== bare.toLowerCase()) { meta.error = 'Host does not match the URI authority'; return 400 }
  if (bare !== authority) {
    head.uri = uri.slice(0, s + 3) + bare + uri.slice(e)
    if (host !== undefined) head.values[at] = bare
  }
  return 0
}

/** the target of a CONNECT: host (or [v6]) and a port (HAProxy refuses any other) */
const CONNECT_AUTHORITY = /^(?:\[[^\]]*\]|[^:/[\]]+):\d+$/

/** <a> ("name", "name:port", "[v6]:port") without its port when that is empty, <p1> or <p2>. */
function withoutPort (a: string, p1: string, p2: string): string {
  const c = a.lastIndexOf(':')
  if (c < 0 || c < a.lastIndexOf(']')) return a
  const port = a.slice(c + 1)
  return port === '' || port === p1 || port === p2 ? a.slice(0, c) : a
}
