import type { HttpHead } from './http-head.ts'

/** What rules (sample fetches), hash-key extractors and logs may read of a
 *  stream: the connection endpoints and, in HTTP mode, the message heads.
 *  The proxy's Stream implements it; tests build plain objects. */
export interface StreamView {
  readonly srcAddr: string      // client address as text ("127.0.0.1", "::1")
  readonly srcPort: number
  readonly dstAddr: string      // local address the client connected to
  readonly dstPort: number
  readonly feName: string
  /** Name of the backend once chosen, "" before */
  readonly beName: string
  /** Request head in HTTP mode once parsed, else null */
  readonly req: HttpHead | null
  /** Response head once received, else null */
  readonly res: HttpHead | null
  /** Variables set by set-var (txn./sess./req./res. scopes share one map keyed by full name) */
  readonly vars: Map<string, string | number | boolean>
}
