import type { FrontendRuntime } from '../proxy/frontend-runtime.ts'
import type { BackendRuntime } from '../proxy/backend-runtime.ts'
import type { ServerRuntime } from '../proxy/server-runtime.ts'
import { H1ChunkState, type ChunkedScanner } from '../proxy/http/chunked.ts'

/** The last invalid request of each frontend and the last invalid response
 *  of each backend, kept for `show errors` (HAProxy proxy_capture_error).
 *  Captured only when a message is refused, so nothing here is on the path
 *  of valid traffic. */

/** One captured message. */
export interface ErrorCapture {
  /** wall-clock ms of the capture */
  readonly when: number
  /** process-wide event number (HAProxy error_snapshot_id, from 0) */
  readonly event: number
  readonly src: string
  readonly srcPort: number
  /** a copy of the bytes received, at most one buffer */
  readonly buf: Buffer
  /** HAProxy's H1 parser state where the message went wrong, and the offset */
  readonly state: number
  readonly errorAt: number
  /** body bytes of the message seen before the error (HAProxy "H1 body len") */
  readonly bodyLen: number
  /** the other proxy (the frontend for a response, the backend for a request), null = none yet */
  readonly otherEnd: { readonly name: string; readonly id: number } | null
  readonly server: { readonly name: string; readonly id: number } | null
}

/** HAProxy's H1 message states named in the dump (enum h1m_state). */
export const H1_STATE_NAMES: Readonly<Record<number, string>> = {
  2: 'MSG_RQMETH', 4: 'MSG_RQURI', 6: 'MSG_RQVER', 7: 'MSG_RQLINE_END',
  10: 'MSG_RPVER', 12: 'MSG_RPCODE', 14: 'MSG_RPREASON', 15: 'MSG_RPLINE_END',
  17: 'MSG_HDR_NAME', 22: 'MSG_HDR_VAL', 25: 'MSG_LAST_LF',
  26: 'MSG_CHUNK_SIZE', 28: 'MSG_CHUNK_CRLF', 29: 'MSG_TRAILERS'
}

const isToken = (c: number): boolean =>
  (c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a) || '!#$%&\'*+-.^_`|~'.includes(String.fromCharCode(c))

/** Finds where the head in <buf> stops being valid HTTP/1, as HAProxy's H1
 *  parser reports it: the first byte that cannot be part of the method, URI,
 *  version, status or header name, or a header value's control byte; the
 *  end of the bytes when nothing is wrong (a head too large). */
export function locateError (buf: Buffer, response: boolean): { state: number; errorAt: number } {
  const n = buf.length
  let i = 0
  const word = (state: number, ok: (c: number) => boolean): { state: number; errorAt: number } | null => {
    const start = i
    while (i < n && ok(buf[i])) i++
    if (i === n) return { state, errorAt: n }
    if (buf[i] !== 0x20 || i === start) return { state, errorAt: i }
    i++
    return null
  }
  const bad = response
    ? word(10, c => c > 0x20 && c < 0x7f) ?? word(12, c => c >= 0x30 && c <= 0x39)
    : word(2, isToken) ?? word(4, c => c > 0x20 && c !== 0x7f)
  if (bad !== null) return bad
  // the rest of the start line: version (request) or reason (response)
  const lineStart = i
  while (i < n && buf[i] !== 0x0a) {
    const c = buf[i]
    if (c === 0x0d && buf[i + 1] === 0x0a) break
    if (c < 0x20 && c !== 0x09) return { state: response ? 14 : 6, errorAt: i }
    i++
  }
  if (!response && !/^HTTP\/\d\.\d$/.test(buf.toString('latin1', lineStart, i))) return { state: 6, errorAt: lineStart }
  i += buf[i] === 0x0d ? 2 : 1
  // header lines up to the empty one
  while (i < n) {
    if (buf[i] === 0x0d || buf[i] === 0x0a) return { state: 25, errorAt: n }
    while (i < n && isToken(buf[i])) i++
    if (i >= n) break
    if (buf[i] !== 0x3a) return { state: 17, errorAt: i }
    for (i++; i < n && buf[i] !== 0x0a; i++) {
      const c = buf[i]
      if ((c < 0x20 && c !== 0x09 && !(c === 0x0d && buf[i + 1] === 0x0a)) || c === 0x7f) return { state: 22, errorAt: i }
    }
    // the bytes ended inside a value (a head too large)
    if (i >= n) return { state: 22, errorAt: n }
    i++
  }
  return { state: 17, errorAt: n }
}

/** Escapes one dump line as HAProxy does (dump_text_line): printable ASCII
 *  as is, \t \n \r \e \\ by name, anything else as \xHH. */
function escapeByte (c: number): string {
  if (c >= 0x20 && c < 0x7f && c !== 0x5c) return String.fromCharCode(c)
  switch (c) {
    case 0x09: return '\\t'
    case 0x0a: return '\\n'
    case 0x0d: return '\\r'
    case 0x1b: return '\\e'
    case 0x5c: return '\\\\'
  }
  return '\\x' + c.toString(16).toUpperCase().padStart(2, '0')
}

/** Longest dump line, prefix included (dump_text_line stops before column 80). */
const DUMP_WIDTH = 79

/** HAProxy's dump of <buf>: one line per received line, "  <offset> <text>",
 *  longer lines continued with a '+' after the offset. */
export function dumpLines (buf: Buffer): string {
  let out = ''
  let ptr = 0
  let lineStart = 0
  while (ptr < buf.length) {
    let line = `  ${String(ptr).padStart(5, '0')}${ptr === lineStart ? ' ' : '+'} `
    for (;;) {
      if (ptr >= buf.length) break
      const e = escapeByte(buf[ptr])
      if (line.length + e.length > DUMP_WIDTH) break
      line += e
      if (buf[ptr++] === 0x0a) { lineStart = ptr; break }
    }
    out += line + '\n'
  }
  return out
}

/** Keeps <buf> (the request head received so far) as <fe>'s last invalid request. */
export function captureRequestError (fe: FrontendRuntime, buf: Buffer, src: string, srcPort: number): void {
  const { state, errorAt } = locateError(buf, false)
  fe.lastInvalidRequest = {
    when: Date.now(), event: fe.process.errorEvents++, src, srcPort, buf: Buffer.from(buf.subarray(0, fe.global.tune.bufsize)),
    state, errorAt, bodyLen: 0, otherEnd: null, server: null
  }
}

/** Where a body went wrong: body bytes <d>, which came in the read of the head
 *  (<headRead>, whose head is <headLen> bytes) or in a read of their own. */
export interface BodyRead { readonly d: Buffer; readonly headRead: Buffer | null; readonly headLen: number }

/** What `show errors` keeps of an invalid body, as HAProxy keeps it: the bytes of
 *  the read where it went wrong (with the head when they came together, its input
 *  buffer still holds it then), the offset and H1 state of the error, the body
 *  bytes before it. */
function bodyError (fe: FrontendRuntime, chunks: ChunkedScanner, at: BodyRead): Pick<ErrorCapture, 'buf' | 'state' | 'errorAt' | 'bodyLen'> {
  const read = at.headRead ?? at.d
  // HAProxy reports a bad trailer at the end of the message head, wherever it is
  const errorAt = chunks.failedState === H1ChunkState.trailers ? at.headLen : read.length - at.d.length + chunks.failedAt
  return { buf: Buffer.from(read.subarray(0, fe.global.tune.bufsize)), state: chunks.failedState, errorAt, bodyLen: chunks.payload }
}

/** Keeps an invalid request body (a bad chunk size, say) as <fe>'s last invalid
 *  request, with the backend the request was routed to (none yet when the body
 *  came in the read of the head). */
export function captureRequestBodyError (fe: FrontendRuntime, be: BackendRuntime | null, chunks: ChunkedScanner, at: BodyRead, src: string, srcPort: number): void {
  fe.lastInvalidRequest = {
    when: Date.now(), event: fe.process.errorEvents++, src, srcPort, ...bodyError(fe, chunks, at),
    otherEnd: be === null ? null : { name: be.plan.name, id: be.plan.id }, server: null
  }
}

/** Keeps an invalid response body of <srv> as <be>'s last invalid response, for the client of <fe>. */
export function captureResponseBodyError (be: BackendRuntime, srv: ServerRuntime, fe: FrontendRuntime, chunks: ChunkedScanner, at: BodyRead, src: string, srcPort: number): void {
  be.lastInvalidResponse = {
    when: Date.now(), event: fe.process.errorEvents++, src, srcPort, ...bodyError(fe, chunks, at),
    otherEnd: { name: fe.plan.name, id: fe.plan.id }, server: { name: srv.name, id: srv.id }
  }
}

/** Keeps <buf> (what <srv> sent) as <be>'s last invalid response, for the client of <fe>. */
export function captureResponseError (be: BackendRuntime, srv: ServerRuntime, fe: FrontendRuntime, buf: Buffer, src: string, srcPort: number): void {
  const { state, errorAt } = locateError(buf, true)
  be.lastInvalidResponse = {
    when: Date.now(), event: fe.process.errorEvents++, src, srcPort, buf: Buffer.from(buf.subarray(0, fe.global.tune.bufsize)),
    state, errorAt, bodyLen: 0, otherEnd: { name: fe.plan.name, id: fe.plan.id }, server: { name: srv.name, id: srv.id }
  }
}
