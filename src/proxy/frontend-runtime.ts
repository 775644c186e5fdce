import type { FrontendPlan, GlobalPlan, StatsPagePlan } from '../config/plan.ts'
import type { LogRecord } from '../log/types.ts'
import type { StreamView } from '../core/stream-view.ts'
import type { ServiceName } from '../rules/types.ts'
import type { BackendRuntime } from './backend-runtime.ts'
import type { ErrorCapture } from '../runtime/error-capture.ts'

/** Writes one access-log line for a finished stream (compiled from the plan). */
/** Answers a request for a page the proxy serves itself (the stats page),
 *  or null when <uri> is not that page. Provided by the engine. */
/** `http-request use-service <name>`: the whole response (HEAD: head only). */
export type LocalService = (name: ServiceName, head: boolean) => Buffer

/** A request as the stats page needs it. */
export interface LocalPageRequest {
  readonly method: string
  readonly uri: string
  readonly authorization: string | undefined
  /** `stats admin if <cond>` holds for this request */
  readonly admin: boolean
  /** the request body received so far (chunked framing kept when <chunked>), and whether it is all there */
  readonly body: readonly Buffer[]
  readonly chunked?: boolean
  readonly bodyBytes: number
  readonly bodyComplete: boolean
}

/** The raw response, 'wait' until the request body is complete, or null when <req> is not for the page. */
export type LocalPage = (page: StatsPagePlan, req: LocalPageRequest) => Buffer | 'wait' | null

export interface AccessLogger {
  emit (rec: LogRecord, view: StreamView): void
}

/** Index of <status> in the per-class response counters (1xx..5xx, other). */
export function statusClass (status: number): number {
  return status >= 100 && status < 600 ? Math.floor(status / 100) - 1 : 5
}

/** Process-wide counters shared by every frontend (HAProxy actconn...). */
/** A keep-alive client connection between two requests. */
export interface IdleClient { closeIdle (): void }

export class ProcessCounters {
  actconn = 0
  totalConns = 0
  totalReqs = 0
  /** soft stop in progress: no new keep-alive, exit when actconn reaches 0 */
  stopping = false
  /** client connections waiting between two requests (keep-alive, any
   *  generation), which a soft stop closes at once since it must end them */
  readonly idle = new Set<IdleClient>()
  /** a reader of every finished stream's record besides the access logs (the
   *  UI's live log); must only copy or queue, never block */
  recordTap: ((rec: LogRecord) => void) | null = null
  readonly start = Date.now()
  /** invalid messages captured so far (HAProxy error_snapshot_id, `show errors`) */
  errorEvents = 0
  /** set by the engine: admits waiting connections, ends a soft stop */
  onSessionEnd: (() => void) | null = null
  sessionClosed (): void {
    if (this.onSessionEnd !== null) this.onSessionEnd()
  }
}

/** Live state of a frontend under one plan: its backends table (same plan),
 *  counters and access logger. Sessions keep a reference to the runtime they
 *  were accepted with, so a reload never changes a stream's rules mid-way. */
export class FrontendRuntime {
  cur = 0
  maxCur = 0
  total = 0
  reqTotal = 0
  bytesIn = 0
  bytesOut = 0
  denied = 0
  errors = 0
  readonly hrsp = [0, 0, 0, 0, 0, 0]
  /** the last invalid request received (`show errors`) */
  lastInvalidRequest: ErrorCapture | null = null
  /** maximum request head size: bufsize - maxrewrite */
  readonly maxHead: number
  readonly maxHdr: number

  constructor (
    readonly plan: FrontendPlan,
    readonly global: GlobalPlan,
    readonly backends: ReadonlyMap<string, BackendRuntime>,
    readonly process: ProcessCounters,
    readonly accessLog: AccessLogger | null,
    readonly localPage: LocalPage,
    readonly service: LocalService
  ) {
    this.maxHead = global.tune.bufsize - global.tune.maxrewrite
    this.maxHdr = global.tune.maxhdr
  }

  /** set when a reload replaced this frontend: its keep-alive connections get
   *  "connection: close" on their next response and end there. WHY not close
   *  idle ones at once: a request may already be on the wire, and the client
   *  would see it fail; an announced close loses nothing. */
  retired = false

  /** the frontends of the same generation by name (fe_conn(<name>)), set by the engine */
  siblings: ReadonlyMap<string, FrontendRuntime> = new Map()

  countStatus (status: number): void {
    this.hrsp[statusClass(status)]++
  }
}
