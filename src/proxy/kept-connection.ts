import type { Socket } from 'node:net'
import type { ServerRuntime } from './server-runtime.ts'
import { takeIdle, parkIdle } from './idle-pool.ts'

/** Methods that may be replayed or sent on a reused connection (RFC 9110 §9.2.2). */
export const IDEMPOTENT = new Set(['GET', 'HEAD', 'OPTIONS', 'TRACE', 'PUT', 'DELETE'])

function ignore (): void {}

/** The server connection an HTTP session keeps between two of its requests
 *  (HAProxy's private idle connection), and the `http-reuse` choice of an
 *  already open connection for the next request. One per session. */
export class KeptConnection {
  private sock: Socket | null = null
  private srv: ServerRuntime | null = null
  /** may join the server's shared pool when the session lets it go */
  private poolable = false
  private readonly onClose = (): void => { this.sock = null; this.srv = null }

  keep (sock: Socket, srv: ServerRuntime, poolable: boolean): void {
    sock.setTimeout(0)
    this.sock = sock
    this.srv = srv
    this.poolable = poolable
    sock.on('close', this.onClose)
    sock.on('error', ignore)
  }

  /** An open connection to <srv> for the next request, or null to connect:
   *  the kept one if it leads to <srv>; otherwise (the kept one let go) an
   *  idle one of the server's pool when <reuse> allows it — under `safe`,
   *  never for a session's first request nor a non-idempotent one (seed 002). */
  take (srv: ServerRuntime, reuse: string, firstRequest: boolean, method: string, mayPool: boolean): Socket | null {
    if (this.sock !== null && this.srv === srv && !this.sock.destroyed) return this.detach()
    this.release(mayPool)
    const canPool = reuse === 'always' || (reuse === 'aggressive' && !firstRequest) ||
      (reuse === 'safe' && !firstRequest && IDEMPOTENT.has(method))
    return canPool ? takeIdle(srv) : null
  }

  /** Lets the kept connection go: to its server's pool when <mayPool> and
   *  the backend reuses connections, else closed. */
  release (mayPool: boolean): void {
    const srv = this.srv
    const s = this.detach()
    if (s === null || srv === null) return
    if (this.poolable && mayPool) parkIdle(srv, s)
    else s.destroy()
  }

  private detach (): Socket | null {
    const s = this.sock
    this.sock = null
    this.srv = null
    if (s !== null) { s.removeListener('close', this.onClose); s.removeListener('error', ignore) }
    return s
  }
}
