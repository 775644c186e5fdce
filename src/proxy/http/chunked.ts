/** Validating scanner for the chunked transfer coding (RFC 9112 §7.1).
 *  It does not decode: the proxy forwards the bytes as received and only needs
 *  to know where the message ends and whether the framing is valid (bad chunk
 *  sizes are refused, as HAProxy does, to prevent smuggling). No allocation. */

const S = { Size: 0, Ext: 1, SizeLf: 2, Data: 3, DataCr: 4, DataLf: 5, TrailerStart: 6, TrailerName: 7, TrailerValue: 8, TrailerLf: 9, FinalLf: 10, Done: 11 } as const

/** HAProxy's H1 parser states (enum h1m_state) where a chunked body can go wrong, for `show errors` */
export const H1ChunkState = { size: 26, crlf: 28, trailers: 29 } as const

const HEX = new Int8Array(256).fill(-1)
for (let c = 0; c < 10; c++) HEX[48 + c] = c
for (let c = 0; c < 6; c++) { HEX[65 + c] = 10 + c; HEX[97 + c] = 10 + c }

/** bytes of a header field name (RFC 9110 token) */
const TOKEN = new Uint8Array(256)
for (let c = 33; c < 127; c++) TOKEN[c] = '"(),/:;<=>?@[\\]{}'.includes(String.fromCharCode(c)) ? 0 : 1

/** Max chunk size accepted: 2^52 (HAProxy refuses sizes that overflow its counters). */
const MAX_CHUNK = 2 ** 52

export class ChunkedScanner {
  private state: number = S.Size
  private remaining = 0
  private digits = 0
  /** set when the framing is invalid: where in the bytes scanned last, in which H1 state */
  failed = false
  failedAt = 0
  failedState = 0
  /** total payload bytes seen (for logs) */
  payload = 0

  reset (): void { this.state = S.Size; this.remaining = 0; this.digits = 0; this.failed = false; this.payload = 0 }

  get done (): boolean { return this.state === S.Done }

  /** Scans buf[from, to). Returns the index just after the message's last byte
   *  when the message completes inside this range, -1 when more is needed,
   *  -2 on a framing error. */
  scan (buf: Buffer, from: number, to: number): number {
    let i = from
    while (i < to) {
      const c = buf[i]
      switch (this.state) {
        case S.Size: {
          const h = HEX[c]
          if (h >= 0) {
            this.remaining = this.remaining * 16 + h
            if (++this.digits > 14 || this.remaining > MAX_CHUNK) return this.fail(i)
            i++; break
          }
          if (this.digits === 0) return this.fail(i)
          if (c === 59 /* ; */ || c === 32 || c === 9) { this.state = S.Ext; i++; break }
          if (c === 13) { this.state = S.SizeLf; i++; break }
          if (c === 10) { i++; this.afterSize(); break }
          return this.fail(i)
        }
        case S.Ext:
          if (c === 13) this.state = S.SizeLf
          else if (c === 10) { i++; this.afterSize(); break } else if (c < 32 && c !== 9) return this.fail(i)
          i++; break
        case S.SizeLf:
          if (c !== 10) return this.fail(i)
          i++; this.afterSize(); break
        case S.Data: {
          const n = Math.min(this.remaining, to - i)
          this.remaining -= n; this.payload += n; i += n
          if (this.remaining === 0) this.state = S.DataCr
          break
        }
        case S.DataCr:
          if (c === 13) { this.state = S.DataLf; i++; break }
          if (c === 10) { this.state = S.Size; this.digits = 0; i++; break }
          return this.fail(i)
        case S.DataLf:
          if (c !== 10) return this.fail(i)
          this.state = S.Size; this.digits = 0; i++; break
        case S.TrailerStart:
          if (c === 13) { this.state = S.FinalLf; i++; break }
          if (c === 10) { this.state = S.Done; return i + 1 }
          if (TOKEN[c] === 0) return this.fail(i)
          this.state = S.TrailerName; i++; break
        case S.TrailerName:
          // a trailer is a header field: name, colon, value (HAProxy refuses anything else)
          if (c === 58 /* : */) this.state = S.TrailerValue
          else if (TOKEN[c] === 0) return this.fail(i)
          i++; break
        case S.TrailerValue:
          if (c === 10) this.state = S.TrailerStart
          else if (c === 13) this.state = S.TrailerLf
          else if ((c < 32 && c !== 9) || c === 127) return this.fail(i)
          i++; break
        case S.TrailerLf:
          if (c !== 10) return this.fail(i)
          this.state = S.TrailerStart; i++; break
        case S.FinalLf:
          if (c !== 10) return this.fail(i)
          this.state = S.Done; return i + 1
        default:
          return i
      }
    }
    return -1
  }

  private afterSize (): void {
    if (this.remaining === 0) this.state = S.TrailerStart
    else this.state = S.Data
  }

  private fail (at: number): number {
    this.failed = true
    this.failedAt = at
    this.failedState = this.state <= S.SizeLf ? H1ChunkState.size : this.state <= S.DataLf ? H1ChunkState.crlf : H1ChunkState.trailers
    return -2
  }
}
