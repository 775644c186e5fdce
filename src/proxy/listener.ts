import { createServer, type Server, type Socket } from 'node:net'
import { unlinkSync } from 'node:fs'
import type { BindPlan, BindTlsPlan } from '../config/plan.ts'
import { TlsTerminator, terminatorDigest } from '../tls/terminator.ts'

/** A listening socket for one address of a `bind` line. Its connection
 *  handler can be swapped (reload: the same socket serves the new plan, no
 *  connection is refused during the switch). */
export class Listener {
  readonly server: Server
  handler: (s: Socket) => void
  /** `bind … ssl`: connections are handed to <handler> once TLS is up */
  private tls: TlsTerminator | null = null

  constructor (readonly key: string, handler: (s: Socket) => void) {
    this.handler = handler
    this.server = createServer({ allowHalfOpen: true, noDelay: true }, (s) => {
      if (this.tls === null) this.handler(s)
      else this.tls.accept(s)
    })
  }

  /** Sets the TLS offload of this socket (null = plain TCP). A reload with
   *  the same TLS settings and files keeps the terminator and its contexts. */
  useTls (plan: BindTlsPlan | null, handshakeTimeoutMs: number): void {
    if (plan === null) { this.tls = null; return }
    if (this.tls?.digest === terminatorDigest(plan, handshakeTimeoutMs)) return
    this.tls = new TlsTerminator(plan, handshakeTimeoutMs, s => this.handler(s))
  }

  /** Starts listening as <b> says (port <port> of a range). */
  listen (b: BindPlan, port: number, backlog: number): Promise<void> {
    return new Promise((resolve, reject) => {
      const onErr = (e: Error): void => reject(e)
      this.server.once('error', onErr)
      const done = (): void => { this.server.removeListener('error', onErr); resolve() }
      if (b.kind === 'fd') this.server.listen({ fd: b.fd, backlog }, done)
      else if (b.kind === 'unix') {
        try { unlinkSync(b.path) } catch { /* not there */ }
        this.server.listen({ path: b.path, backlog }, done)
      } else {
        const host = b.host === '' ? '0.0.0.0' : b.host
        this.server.listen({ host, port, backlog, ipv6Only: b.v6only }, done)
      }
    })
  }

  /** Stops listening. Established connections are not waited for (they
   *  finish on their own generation). */
  close (): Promise<void> {
    this.server.close()
    return new Promise(resolve => setImmediate(resolve))
  }
}

/** Stable identity of one listening address (reload keeps sockets with the same key). */
export function bindKeys (b: BindPlan): { key: string; port: number }[] {
  if (b.kind === 'fd') return [{ key: `fd@${b.fd}`, port: 0 }]
  if (b.kind === 'unix') return [{ key: `unix@${b.path}`, port: 0 }]
  const out: { key: string; port: number }[] = []
  for (let p = b.port; p <= b.portEnd; p++) out.push({ key: `${b.host || '0.0.0.0'}:${p}`, port: p })
  return out
}
