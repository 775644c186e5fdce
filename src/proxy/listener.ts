import { createServer, type Server, type Socket } from 'node:net'
import { unlinkSync } from 'node:fs'
import type { BindPlan } from '../config/plan.ts'

/** A listening socket for one address of a `bind` line. Its connection
 *  handler can be swapped (reload: the same socket serves the new plan, no
 *  connection is refused during the switch). */
export class Listener {
  readonly server: Server
  handler: (s: Socket) => void

  constructor (readonly key: string, handler: (s: Socket) => void) {
    this.handler = handler
    this.server = createServer({ allowHalfOpen: true, noDelay: true }, (s) => this.handler(s))
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
