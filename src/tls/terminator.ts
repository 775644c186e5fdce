import type { Socket } from 'node:net'
import { Server as TlsServer, type SecureContext, type TLSSocket } from 'node:tls'
import type { BindTlsPlan } from '../config/plan.ts'
import { bindContextOptions } from './bind-words.ts'
import { optionsDigest, secureContextFor } from './contexts.ts'
import { SniIndex } from './sni.ts'

/** TLS offload of one listening socket (`bind … ssl`): accepted TCP
 *  connections are handed over raw; the client comes back through <onSecure>
 *  as a TLSSocket once the handshake (SNI choice, ALPN, client certificate
 *  check) succeeded. Failed handshakes just close. */
export class TlsTerminator {
  /** content digest of the plan: a reload with the same files keeps this terminator */
  readonly digest: string
  private readonly server: TlsServer

  constructor (plan: BindTlsPlan, handshakeTimeoutMs: number, private readonly onSecure: (s: TLSSocket) => void) {
    this.digest = terminatorDigest(plan, handshakeTimeoutMs)
    const sni = new SniIndex(plan.certs.map(cert => ({ cert, value: secureContextFor(bindContextOptions(plan, cert)) })))
    const fallback: SecureContext | null = plan.strictSni ? null : secureContextFor(bindContextOptions(plan, plan.certs[0]!))
    // WHY the default certificate is given as options too: node's server builds its default context
    // itself (used when the client sends no SNI); with strict-sni that context has no certificate,
    // so SNI-less clients are refused as HAProxy refuses them.
    this.server = new TlsServer({
      ...bindContextOptions(plan, plan.strictSni ? null : plan.certs[0]!),
      allowHalfOpen: true,
      handshakeTimeout: handshakeTimeoutMs > 0 ? handshakeTimeoutMs : 120000,
      ALPNProtocols: plan.alpn.length > 0 ? [...plan.alpn] : undefined,
      requestCert: plan.verify !== 'none',
      rejectUnauthorized: plan.verify === 'required',
      SNICallback: (name, cb) => {
        const ctx = sni.find(name) ?? fallback
        if (ctx === null) cb(new Error(`strict-sni: no certificate for '${name}'`), undefined)
        else cb(null, ctx)
      }
    })
    const optional = plan.verify === 'optional'
    this.server.on('secureConnection', (s: TLSSocket) => {
      // verify optional: no certificate is fine, a bad one is refused (HAProxy aborts the handshake)
      if (optional && !s.authorized && s.getPeerX509Certificate() !== undefined) { s.destroy(); return }
      s.setNoDelay(true)
      this.onSecure(s)
    })
    this.server.on('tlsClientError', (_e, s) => { s.destroy() })
  }

  accept (raw: Socket): void {
    this.server.emit('connection', raw)
  }
}

export function terminatorDigest (plan: BindTlsPlan, handshakeTimeoutMs: number): string {
  const certs = Buffer.concat(plan.certs.flatMap(c => [c.chain, c.key, Buffer.from(`${c.names.join(',')}!${c.excluded.join(',')}\0`)]))
  return optionsDigest({ ...plan, certs, handshakeTimeoutMs })
}
