import { BodyKind, type BodyKindT, type HeadMeta } from './head-parser.ts'
import { ChunkedScanner } from './chunked.ts'

/** Where one message body ends in the bytes that follow its head, by the
 *  framing its head announced (none, Content-Length, chunked, until close).
 *  The bytes are not copied nor decoded: the caller forwards them as they
 *  came and learns how many belong to this message. One per direction of a
 *  session, reused by every transaction (no allocation per message). */
export class BodyFraming {
  kind: BodyKindT = BodyKind.None
  /** the whole body went by (never set for UntilClose: the close ends it) */
  done = true
  private remaining = 0
  /** the chunked framing's scanner: where it failed (failedAt in the bytes given to
   *  take, failedState) and the payload seen, for `show errors` */
  readonly chunks = new ChunkedScanner()

  /** Starts the body of the message whose head produced <m>. */
  start (m: HeadMeta): void {
    this.kind = m.bodyKind
    this.done = m.bodyKind === BodyKind.None
    this.remaining = m.bodyKind === BodyKind.Length ? m.contentLength : 0
    if (m.bodyKind === BodyKind.Chunked) this.chunks.reset()
  }

  /** A message is awaited (its head not read yet): not done. */
  awaitMessage (): void { this.done = false }

  /** Number of leading bytes of <d> that belong to the body (all of them
   *  while more is expected), or -1 on invalid chunked framing. Sets <done>
   *  when the body ends within <d>; bytes after that end are the next message's. */
  take (d: Buffer): number {
    if (this.done) return 0
    if (this.kind === BodyKind.Length) {
      if (d.length < this.remaining) { this.remaining -= d.length; return d.length }
      const n = this.remaining
      this.remaining = 0
      this.done = true
      return n
    }
    if (this.kind === BodyKind.UntilClose) return d.length
    const e = this.chunks.scan(d, 0, d.length)
    if (e === -2) return -1
    if (e === -1) return d.length
    this.done = true
    return e
  }
}
