import type { BackendRuntime } from './backend-runtime.ts'
import type { ServerRuntime } from './server-runtime.ts'
import type { StreamLog } from './stream-log.ts'

/** What a stream does after a failed connection attempt (HAProxy `retries`,
 *  `option redispatch` with its default interval -1: the last retry goes to
 *  another server). Counters of <srv>, <be> and the stream's log are updated. */
export const Retry = { SameServer: 0, Redispatch: 1, GiveUp: 2 } as const
export type RetryT = typeof Retry[keyof typeof Retry]

export function afterConnectError (be: BackendRuntime, srv: ServerRuntime, retriesLeft: number, log: StreamLog): RetryT {
  srv.connErrors++
  be.connErrors++
  if (retriesLeft <= 0) return Retry.GiveUp
  log.retries++
  srv.retries++
  if (be.plan.redispatch && retriesLeft === 1 && be.usableCount > 1) {
    log.redispatched = true
    srv.redispatches++
    return Retry.Redispatch
  }
  return Retry.SameServer
}

/** WHY: an immediate retry to a server that just refused would fail the same
 *  way; HAProxy waits min(1s, timeout connect) before retrying the same server. */
export function retryDelay (be: BackendRuntime): number {
  return Math.min(1000, be.plan.timeouts.connect || 1000)
}
