import { connect, type Socket } from 'node:net'
import type { ServerRuntime } from './server-runtime.ts'
import type { StreamView } from '../core/stream-view.ts'
import { startServerTls } from '../tls/server-tls.ts'

/** Outcome of one connection attempt. */
export const ConnErr = { None: 0, Refused: 1, Timeout: 2, NoPort: 3, Other: 4 } as const
export type ConnErrT = typeof ConnErr[keyof typeof ConnErr]

/** The stream a connection is opened for: it reads as a StreamView (a
 *  server's `sni` expression is evaluated on it) and is told the outcome. */
export interface ConnectDone extends StreamView {
  /** called once: <err> is ConnErr.None with a connected <sock>, or an error and null */
  connectDone (err: ConnErrT, sock: Socket | null, info: string): void
}

/** Opens a TCP (or unix) connection to <srv>'s current address. A server without
 *  a port maps the port the client reached (HAProxy), read from <done> only then. A configured
 *  `source addr:lo-hi` picks ports itself, walking the range from the
 *  server's cursor; a port in use moves to the next one, and a full range is
 *  reported as ConnErr.NoPort (seed 001's source port exhaustion: retried and
 *  logged by the caller, never a crash). A `ssl` server gets its TLS
 *  handshake inside the same connect timeout; a failed handshake (wrong CA,
 *  name) is a connection error, retried then answered 503 as in HAProxy.
 *  <timeoutMs> 0 = no connect timeout. */
export function connectServer (srv: ServerRuntime, timeoutMs: number, done: ConnectDone): void {
  const p = srv.plan
  const src = p.source
  const span = src !== null && src.portLow > 0 ? src.portHigh - src.portLow + 1 : 0
  let tries = 0
  const attempt = (): void => {
    let localPort: number | undefined
    if (span > 0) {
      localPort = srv.nextSourcePort
      srv.nextSourcePort = localPort >= src!.portHigh ? src!.portLow : localPort + 1
    }
    const sock = p.unixPath !== ''
      ? connect({ path: p.unixPath, allowHalfOpen: true })
      : connect({ host: srv.host, port: srv.mapPorts ? (done.dstPort + srv.port) & 0xffff : srv.port, allowHalfOpen: true, noDelay: true,
        localAddress: src?.addr || undefined, localPort })
    let timer: NodeJS.Timeout | null = null
    // WHY: a timeout during a TLS handshake destroys the socket, and the handshake then fails too
    let settled = false
    const finish = (err: ConnErrT, info: string): void => {
      if (settled) return
      settled = true
      if (timer !== null) clearTimeout(timer)
      sock.removeListener('connect', onConnect)
      sock.removeListener('error', onError)
      if (err === ConnErr.None) { done.connectDone(err, sock, ''); return }
      sock.destroy()
      if ((err === ConnErr.Other && info === 'EADDRINUSE') && ++tries < span) { attempt(); return }
      done.connectDone(info === 'EADDRINUSE' ? ConnErr.NoPort : err, null, info)
    }
    const onConnect = (): void => {
      if (p.tls === undefined) { finish(ConnErr.None, ''); return }
      sock.removeListener('error', onError)
      startServerTls(sock, p.tls, done, (tlsSock, reason) => {
        if (tlsSock === null) { finish(ConnErr.Other, reason); return }
        if (settled) { tlsSock.destroy(); return }
        settled = true
        if (timer !== null) clearTimeout(timer)
        done.connectDone(ConnErr.None, tlsSock, '')
      })
    }
    const onError = (e: NodeJS.ErrnoException): void => {
      const code = e.code ?? 'error'
      finish(code === 'ECONNREFUSED' ? ConnErr.Refused : ConnErr.Other, code)
    }
    sock.once('connect', onConnect)
    sock.once('error', onError)
    if (timeoutMs > 0) timer = setTimeout(() => finish(ConnErr.Timeout, 'connect timeout'), timeoutMs)
  }
  attempt()
}
