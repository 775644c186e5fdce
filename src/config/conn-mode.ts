import type { HttpConnMode } from './plan.ts'

/** HTTP connection mode of a transaction from its frontend's and backend's
 *  modes, as HAProxy 2.6 combines them (checked against it on all nine
 *  pairs): only the frontend's `httpclose` closes the client connection;
 *  `httpclose` or `http-server-close` on either side closes the server one;
 *  else keep-alive. Called once per (frontend, backend) pair by the proxy,
 *  not per request. */
export function effectiveConnMode (fe: HttpConnMode, be: HttpConnMode): HttpConnMode {
  if (fe === 'close') return 'close'
  if (fe !== 'keep-alive' || be !== 'keep-alive') return 'server-close'
  return 'keep-alive'
}
