/** One intercepted TLS connection (port 443 and the like): relayed unchanged,
 *  never decrypted; the ClientHello's SNI is read from the first bytes, and
 *  the flow (SNI, bytes each way, duration) is recorded when it closes. */
import type { Socket } from 'node:net'
import { endpointName, type Endpoint } from './original-dst.ts'
import { relay } from './relay.ts'
import { sniOf } from './sni.ts'
import type { CaptureStore } from './store.ts'

/** A ClientHello larger than this is not looked into */
const MAX_HELLO = 16 * 1024

export function interceptTls (client: Socket, dst: Endpoint, store: CaptureStore): void {
  const startedAt = Date.now()
  const clientName = endpointName(client.remoteAddress ?? '', client.remotePort ?? 0)
  const t0 = performance.now()
  let hello: Buffer | null = Buffer.alloc(0)
  let sni: string | null = null
  let up = 0
  let down = 0
  relay(client, dst, {
    connected () {},
    up (chunk) {
      up += chunk.length
      if (hello === null) return
      hello = Buffer.concat([hello, chunk])
      const r = sniOf(hello)
      if (r !== 'more' || hello.length > MAX_HELLO) { sni = r === 'more' ? null : r; hello = null }
    },
    down (chunk) { down += chunk.length },
    serverEnded () {},
    closed () {
      store.add({
        kind: 'tls', id: store.nextId(), startedAt, client: clientName,
        server: endpointName(dst.addr, dst.port), sni, bytesUp: up, bytesDown: down, durationMs: performance.now() - t0
      })
    }
  })
}
