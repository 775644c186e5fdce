/** A passive HTTP/1.x parser for one direction of a relayed connection: it is
 *  shown every chunk after the chunk was forwarded and never changes a byte; it
 *  reports heads, body bytes (chunk framing removed) and message ends. Anything it
 *  cannot follow (oversized head, upgrade, garbage) turns it into a silent tunnel:
 *  recording stops, the relay goes on. Body chunks are views, not copies. */
import type { HeaderList } from './types.ts'

export interface TapHead {
  /** Request method, or "" for a response */
  readonly method: string
  readonly uri: string
  readonly version: string
  /** Response status, 0 for a request */
  readonly status: number
  readonly reason: string
  readonly headers: HeaderList
}

export interface TapSink {
  /** A message head; return true when this message has no body whatever its
   *  headers say (a response to HEAD). Interim 1xx responses are not reported. */
  head (h: TapHead): boolean
  body (chunk: Buffer): void
  /** The message is complete: <wireBytes> as on the wire, <bodyBytes> of payload */
  end (wireBytes: number, bodyBytes: number): void
  /** The tap stopped following the stream (<why>) */
  tunnel (why: string): void
}

const enum S { Head, Length, ChunkSize, ChunkData, ChunkEnd, Trailers, UntilClose, Tunnel }

const MAX_HEAD = 64 * 1024
const MAX_LINE = 4096

function parseHead (text: string, isResponse: boolean): TapHead | null {
  const lines = text.split(/\r?\n/)
  const first = lines[0]!.split(' ')
  const headers: HeaderList = []
  for (let i = 1; i < lines.length; i++) {
    const l = lines[i]!
    if (l === '') continue
    const colon = l.indexOf(':')
    if (colon <= 0) return null
    headers.push([l.slice(0, colon), l.slice(colon + 1).trim()])
  }
  if (isResponse) {
    const status = Number(first[1])
    if (!/^HTTP\/1\.[01]$/.test(first[0]!) || !(status >= 100 && status <= 999)) return null
    return { method: '', uri: '', version: first[0]!, status, reason: first.slice(2).join(' '), headers }
  }
  if (first.length !== 3 || !/^HTTP\/1\.[01]$/.test(first[2]!) || !/^[A-Z-]+$/.test(first[0]!)) return null
  return { method: first[0]!, uri: first[1]!, version: first[2]!, status: 0, reason: '', headers }
}

function headerOf (h: TapHead, lname: string): string | undefined {
  for (const [n, v] of h.headers) if (n.toLowerCase() === lname) return v
  return undefined
}

export class HttpTap {
  private state = S.Head
  /** Head bytes seen so far (a head split across chunks) */
  private headParts: Buffer[] = []
  private headLen = 0
  /** Body bytes left in a Content-Length body or in the current chunk */
  private left = 0
  private line = ''
  private wire = 0
  private bodyBytes = 0

  constructor (private readonly isResponse: boolean, private readonly sink: TapSink) {}

  /** Between messages: the next byte starts a new one */
  get idle (): boolean { return this.state === S.Head && this.headLen === 0 }

  push (buf: Buffer): void {
    let i = 0
    while (i < buf.length && this.state !== S.Tunnel) i = this.step(buf, i)
  }

  /** The peer closed: ends a body delimited by the close. */
  close (): void {
    if (this.state === S.UntilClose) this.finish()
  }

  private stop (why: string): void {
    this.state = S.Tunnel
    this.headParts = []
    this.sink.tunnel(why)
  }

  private finish (): void {
    this.sink.end(this.wire, this.bodyBytes)
    this.wire = 0
    this.bodyBytes = 0
    this.state = S.Head
  }

  private bodySlice (buf: Buffer, i: number, n: number): number {
    const take = Math.min(n, buf.length - i)
    this.sink.body(buf.subarray(i, i + take))
    this.wire += take
    this.bodyBytes += take
    this.left -= take
    return i + take
  }

  /** Consumes a part of <buf> from <i> in the current state and counts it in
   *  <wire> before any finish(); returns the new offset. */
  private step (buf: Buffer, i: number): number {
    switch (this.state) {
      case S.Head: return this.stepHead(buf, i)
      case S.Length: {
        const j = this.bodySlice(buf, i, this.left)
        if (this.left === 0) this.finish()
        return j
      }
      case S.UntilClose: return this.bodySlice(buf, i, buf.length - i)
      case S.ChunkData: {
        const j = this.bodySlice(buf, i, this.left)
        if (this.left === 0) this.state = S.ChunkEnd
        return j
      }
      case S.ChunkSize: case S.ChunkEnd: case S.Trailers: return this.stepLine(buf, i)
      default: return buf.length
    }
  }

  /** Lines of the chunked framing: size line, CRLF after data, trailers. */
  private stepLine (buf: Buffer, i: number): number {
    const nl = buf.indexOf(10, i)
    const end = nl < 0 ? buf.length : nl + 1
    this.line += buf.toString('latin1', i, nl < 0 ? end : nl)
    this.wire += end - i
    if (this.line.length > MAX_LINE) { this.stop('chunk line too long'); return buf.length }
    if (nl < 0) return end
    const line = this.line.replace(/\r$/, '')
    this.line = ''
    if (this.state === S.ChunkEnd) this.state = S.ChunkSize
    else if (this.state === S.Trailers) { if (line === '') this.finish() } else {
      const size = parseInt(line.split(';')[0]!.trim(), 16)
      if (!Number.isFinite(size) || size < 0) { this.stop('bad chunk size'); return end }
      if (size === 0) this.state = S.Trailers
      else { this.left = size; this.state = S.ChunkData }
    }
    return end
  }

  private stepHead (buf: Buffer, i: number): number {
    // the end of the head may straddle chunks: search from 3 bytes before this chunk
    const joined = this.headLen ? Buffer.concat([...this.headParts, buf.subarray(i)]) : buf.subarray(i)
    const from = Math.max(0, this.headLen - 3)
    const end = joined.indexOf('\r\n\r\n', from, 'latin1')
    if (end < 0) {
      if (joined.length > MAX_HEAD) { this.stop('head too large'); return buf.length }
      this.headParts = [joined]
      this.headLen = joined.length
      this.wire += buf.length - i
      return buf.length
    }
    const consumed = end + 4 - this.headLen
    this.wire += consumed
    this.headParts = []
    this.headLen = 0
    const text = joined.toString('latin1', 0, end).replace(/^(\r\n)+/, '')
    const h = parseHead(text, this.isResponse)
    if (h === null) { this.stop('not HTTP/1.x'); return buf.length }
    this.begin(h)
    return i + consumed
  }

  /** Chooses how the body of <h> is delimited (RFC 9112 §6.3). */
  private begin (h: TapHead): void {
    if (h.status >= 100 && h.status < 200 && h.status !== 101) return  // interim: the final response follows
    const noBody = this.sink.head(h)
    if (h.status === 101 || (h.method === 'CONNECT')) { this.finish(); this.stop('upgraded'); return }
    const te = headerOf(h, 'transfer-encoding')
    const cl = headerOf(h, 'content-length')
    if (noBody || h.status === 204 || h.status === 304) this.finish()
    else if (te !== undefined && /chunked\s*$/i.test(te)) this.state = S.ChunkSize
    else if (cl !== undefined && /^\d+$/.test(cl)) {
      this.left = Number(cl)
      if (this.left === 0) this.finish()
      else this.state = S.Length
    } else if (this.isResponse) this.state = S.UntilClose
    else this.finish()
  }
}
