import type { Socket } from 'node:net'
import { checkServerIdentity, connect as tlsConnect, type TLSSocket } from 'node:tls'
import type { ServerTlsPlan } from '../config/plan.ts'
import type { StreamView } from '../core/stream-view.ts'
import { secureContextFor } from './contexts.ts'
import { serverContextOptions } from './server-words.ts'

/** TLS towards a server (`server … ssl`) over an established TCP socket.
 *  The certificate is checked when `verify required` (the default): chain
 *  against ca-file, and the name against `verifyhost`, else the SNI sent
 *  (HAProxy 2.6); with neither, only the chain. */

/** Called once: a ready TLS socket, or null and a reason for the log. */
export type ServerTlsDone = (sock: TLSSocket | null, reason: string) => void

const IP_LITERAL = /^[\d.]+$|:/

export function startServerTls (raw: Socket, plan: ServerTlsPlan, view: StreamView | null, done: ServerTlsDone): TLSSocket {
  const sni = plan.sni === null || view === null ? '' : plan.sni(view)
  const expected = plan.verifyHost ?? (sni === '' ? null : sni)
  const sock = tlsConnect({
    socket: raw,
    secureContext: secureContextFor(serverContextOptions(plan)),
    // WHY no IP literals: TLS forbids them in server_name (node warns and sends nothing)
    servername: sni === '' || IP_LITERAL.test(sni) ? undefined : sni,
    ALPNProtocols: plan.alpn.length > 0 ? [...plan.alpn] : undefined,
    rejectUnauthorized: plan.verify === 'required',
    checkServerIdentity: (_host, cert) => expected === null ? undefined : checkServerIdentity(expected, cert)
  })
  const onSecure = (): void => { sock.removeListener('error', onError); done(sock, '') }
  const onError = (e: Error): void => {
    sock.removeListener('secureConnect', onSecure)
    sock.destroy()
    done(null, `SSL handshake failure (${e.message.split('\n')[0]})`)
  }
  sock.once('secureConnect', onSecure)
  sock.once('error', onError)
  return sock
}
