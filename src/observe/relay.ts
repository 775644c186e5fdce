/** Relays an intercepted connection to its original destination, bytes
 *  unchanged and half-closes kept (both sockets allowHalfOpen), and shows every
 *  chunk to <hooks> after it was forwarded. */
import { connect, type Socket } from 'node:net'
import type { Endpoint } from './original-dst.ts'

export interface RelayHooks {
  /** The connection to <dst> is open after <ms> */
  connected (ms: number): void
  /** Client → server chunk (already written upstream) */
  up (chunk: Buffer): void
  /** Server → client chunk (already written to the client) */
  down (chunk: Buffer): void
  /** The server ended its side (a body delimited by the close ends here) */
  serverEnded (): void
  /** Both sockets are closed */
  closed (): void
}

/** Idle connections are dropped after this, so a stuck peer cannot pin memory */
const IDLE_MS = 10 * 60_000

export function relay (client: Socket, dst: Endpoint, hooks: RelayHooks): void {
  const t0 = performance.now()
  const server = connect({ host: dst.addr, port: dst.port, allowHalfOpen: true })
  let open = 2
  const onClose = (): void => { if (--open === 0) hooks.closed() }
  server.once('connect', () => hooks.connected(performance.now() - t0))
  // pipe() registers its 'data' listener first: the hooks see a chunk once it is forwarded
  client.pipe(server)
  server.pipe(client)
  client.on('data', hooks.up)
  server.on('data', hooks.down)
  server.once('end', hooks.serverEnded)
  client.on('error', () => server.destroy())
  server.on('error', () => client.destroy())
  // a side closed after its peer's data was ended toward it lets that data drain; otherwise it was cut
  client.once('close', () => { if (!server.writableEnded) server.destroy(); onClose() })
  server.once('close', () => { if (!client.writableEnded) client.destroy(); onClose() })
  client.setTimeout(IDLE_MS, () => { client.destroy(); server.destroy() })
}
