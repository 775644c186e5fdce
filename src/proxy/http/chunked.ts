/** Validating scanner for the chunked transfer coding (RFC 9112 §7.1).
 *  It does not decode: the proxy forwards the bytes as received and only needs
 *  to know where the message ends and whether the framing is valid (bad chunk
 *  sizes are refused, as HAProxy does, to prevent smuggling). No allocation. */

const S = { Size: 0, Ext: 1, SizeLf: 2, Data: 3, DataCr: 4, DataLf: 5, TrailerStart: 6, Trailer: 7, TrailerLf: 8, FinalLf: 9, Done: 10 } as const

const HEX = new Int8Array(256).fill(-1)
for (let c = 0; c < 10; c++) HEX[48 + c] = c
for (let c = 0; c < 6; c++) { HEX[65 + c] = 10 + c; HEX[97 + c] = 10 + c }

/** Max chunk size accepted: 2^52 (HAProxy refuses sizes that overflow its counters). */
const MAX_CHUNK = 2 ** 52

export class ChunkedScanner {
  private state: number = S.Size
  private remaining = 0
  private digits = 0
  /** set when the framing is invalid */
  failed = false
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
            if (++this.digits > 14 || this.remaining > MAX_CHUNK) return this.fail()
            i++; break
          }
          if (this.digits === 0) return this.fail()
          if (c === 59 /* ; */ || c === 32 || c === 9) { this.state = S.Ext; i++; break }
          if (c === 13) { this.state = S.SizeLf; i++; break }
          if (c === 10) { i++; this.afterSize(); break }
          return this.fail()
        }
        case S.Ext:
          if (c === 13) this.state = S.SizeLf
          else if (c === 10) { i++; this.afterSize(); break } else if (c < 32 && c !== 9) return this.fail()
          i++; break
        case S.SizeLf:
          if (c !== 10) return this.fail()
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
          return this.fail()
        case S.DataLf:
          if (c !== 10) return this.fail()
          this.state = S.Size; this.digits = 0; i++; break
        case S.TrailerStart:
          if (c === 13) { this.state = S.FinalLf; i++; break }
          if (c === 10) { this.state = S.Done; return i + 1 }
          this.state = S.Trailer; i++; break
        case S.Trailer:
          if (c === 10) this.state = S.TrailerStart
          else if (c === 13) this.state = S.TrailerLf
          i++; break
        case S.TrailerLf:
          if (c !== 10) return this.fail()
          this.state = S.TrailerStart; i++; break
        case S.FinalLf:
          if (c !== 10) return this.fail()
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

  private fail (): number { this.failed = true; return -2 }
}
