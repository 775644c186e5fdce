/** One finished stream as the access log sees it (the fields of HAProxy's
 *  httplog/tcplog lines). Filled by the proxy when the stream ends; the log
 *  module formats it with a format compiled at config time. Times are in ms;
 *  -1 means "never reached" (HAProxy prints -1). */
export interface LogRecord {
  clientIp: string
  clientPort: number
  /** local side the client reached (%fi:%fp) */
  frontendIp: string
  frontendPort: number
  /** wall-clock ms when the connection was accepted (%t in tcplog) */
  acceptDate: number
  /** wall-clock ms when the first byte of the request was received (%tr in httplog) */
  requestDate: number
  feName: string
  /** true when the frontend connection is TLS (HAProxy prints "ft~") */
  feSsl: boolean
  /** "<NOSRV>" when no server was reached; backend = frontend name when none chosen */
  beName: string
  srvName: string
  serverIp: string
  serverPort: number
  /** %TR: time to receive the full request head after the first byte */
  TR: number
  /** %Tw: time waiting in queues */
  Tw: number
  /** %Tc: time to connect to the server */
  Tc: number
  /** %Tr: server response time (head received after request sent) */
  Tr: number
  /** %Ta: active time of the request (from first byte to end of response) */
  Ta: number
  /** %Tt: total session time (accept to close) */
  Tt: number
  /** %Th: handshake time; %Ti: idle time before the request */
  Th: number
  Ti: number
  /** HTTP status sent to the client, -1 in tcp mode or when none */
  status: number
  /** bytes sent to the client (%B) */
  bytesOut: number
  /** bytes received from the client (%U) */
  bytesIn: number
  /** captured request/response cookies (%CC %CS), "-" when none */
  capturedReqCookie: string
  capturedResCookie: string
  /** termination state, 4 chars with cookie flags (e.g. "----", "CD--", "sH--") — %tsc; %ts = first 2 */
  termState: string
  /** %ac %fc %bc %sc: connection counts at log time */
  actconn: number
  feconn: number
  beconn: number
  srvconn: number
  /** %rc: retries; redispatched is printed with a leading '+' */
  retries: number
  redispatched: boolean
  /** %sq %bq */
  srvQueue: number
  beQueue: number
  /** captured request/response headers, in declaration order (already truncated to len) */
  reqCaptures: string[]
  resCaptures: string[]
  /** request line as received ("GET /path HTTP/1.1"), "<BADREQ>" when unparsable */
  requestLine: string
  /** HTTP method, path etc for custom formats */
  method: string
  uri: string
  httpVersion: string
  /** unique id (%ID) if configured */
  uniqueId: string
  /** optional, added by log/: source address of the server-side connection (%bi %bp), absent = "-" */
  beSrcIp?: string
  beSrcPort?: number
  /** optional, added by log/: global request counter (%rt) and the frontend's log counter (%lc), absent = 0 */
  requestCounter?: number
  logCounter?: number
}

/** Syslog severities (RFC 5424 §6.2.1) */
export const Level = { emerg: 0, alert: 1, crit: 2, err: 3, warning: 4, notice: 5, info: 6, debug: 7 } as const
export type LevelName = keyof typeof Level
