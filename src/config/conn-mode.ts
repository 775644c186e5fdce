import type { HttpConnMode } from './plan.ts'

/** HTTP connection mode of a transaction from its frontend's and backend's
 *  modes, as HAProxy 2.x combines them: `close` on either side wins, then
 *  `server-close`, else keep-alive. Called once per (frontend, backend) pair
 *  by the proxy, not per request. */
export function effectiveConnMode (fe: HttpConnMode, be: HttpConnMode): HttpConnMode {
  if (fe === 'close' || be === 'close') return 'close'
  if (fe === 'server-close' || be === 'server-close') return 'server-close'
  return 'keep-alive'
}
