/** What observe mode records: one HttpExchange per request/response seen on an
 *  intercepted plain-HTTP connection, one TlsFlow per relayed TLS connection
 *  (never decrypted: its SNI, byte counts and duration). */

export type HeaderList = Array<[name: string, value: string]>

export interface ExchangeTimings {
  /** ms to open the connection to the original destination; 0 when the exchange reused it */
  connect: number
  /** ms from the request's first byte to the response's first byte; -1 without a response */
  firstByte: number
  /** ms from the request's first byte to the response's last (or to the close) */
  total: number
}

export interface HttpExchange {
  readonly kind: 'http'
  readonly id: number
  /** Epoch ms of the request's first byte */
  readonly startedAt: number
  /** "addr:port" of the PC side */
  readonly client: string
  /** "addr:port" the client was connecting to (the original destination) */
  readonly server: string
  readonly method: string
  /** Host header ("" when absent) */
  readonly host: string
  /** The request-target as sent */
  readonly path: string
  readonly httpVersion: string
  readonly reqHeaders: HeaderList
  /** Bytes of the request: head + body as on the wire */
  readonly reqSize: number
  readonly reqBodySize: number
  /** First <maxBody> bytes of the request body as on the wire (chunk framing removed) */
  readonly reqBody: Buffer
  /** 0 when no response came */
  status: number
  reason: string
  resHeaders: HeaderList
  resSize: number
  resBodySize: number
  resBody: Buffer
  readonly timings: ExchangeTimings
  /** Why the exchange ended early ("closed before the response" ...), or null */
  error: string | null
}

export interface TlsFlow {
  readonly kind: 'tls'
  readonly id: number
  readonly startedAt: number
  readonly client: string
  readonly server: string
  /** server_name of the ClientHello, null when absent or not TLS */
  readonly sni: string | null
  readonly bytesUp: number
  readonly bytesDown: number
  readonly durationMs: number
}

export type Capture = HttpExchange | TlsFlow

/** A line of the capture list: an HTTP exchange without its headers and bodies, or a TLS flow */
export type CaptureSummary = Omit<HttpExchange, 'reqHeaders' | 'resHeaders' | 'reqBody' | 'resBody'> | TlsFlow

/** list() filter: every given field must match. */
export interface CaptureFilter {
  readonly kind?: 'http' | 'tls'
  /** Case-insensitive substring of host, path, SNI, client or server */
  readonly text?: string
  readonly method?: string
  /** Exact status, or a class "2xx" .. "5xx" */
  readonly status?: number | string
  /** Only captures with an id greater than this (for polling) */
  readonly afterId?: number
  /** At most this many, the newest ones */
  readonly limit?: number
}
