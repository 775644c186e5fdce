import type { TLSSocket } from 'node:tls'
import type { X509Certificate } from 'node:crypto'
import type { StreamView } from '../../core/stream-view.ts'
import type { FetchDef, SampleFn } from '../sample.ts'
import { leadingInt } from '../sample.ts'
import { Phase } from '../types.ts'
import type { PayloadHolder } from './payload.ts'
import { clientHelloOf, type HelloInfo } from '../../tls/client-hello.ts'

/** TLS connection fetches (HAProxy ssl_sample.c): ssl_fc* about the client
 *  connection, ssl_c_* about the client's certificate, ssl_f_* about the
 *  certificate the frontend served. They read the TLS socket that streams
 *  accepted on `bind … ssl` expose as <clientTls>. */
export interface TlsHolder { readonly clientTls: TLSSocket | null }

function tlsOf (s: StreamView): TLSSocket | null {
  return (s as Partial<TlsHolder>).clientTls ?? null
}

/** From the TLS layer on (HAProxy SMP_USE_L5CLI): not in tcp-request connection. */
const USE_TLS = Phase.L4Content | Phase.HttpReq | Phase.HttpRes | Phase.Log

const tlsFetch = (out: FetchDef['out'], read: (t: TLSSocket) => string | number | boolean | undefined): FetchDef => ({
  args: [], out, use: USE_TLS, compile: () => s => { const t = tlsOf(s); return t === null ? undefined : read(t) }
})

/** OpenSSL X509_V_ERR_* numbers of node's verify error codes (ssl_c_verify). */
const VERIFY_CODES: Readonly<Record<string, number>> = {
  UNABLE_TO_GET_ISSUER_CERT: 2, UNABLE_TO_GET_CRL: 3, CERT_SIGNATURE_FAILURE: 7, CRL_SIGNATURE_FAILURE: 8,
  CERT_NOT_YET_VALID: 9, CERT_HAS_EXPIRED: 10, CRL_NOT_YET_VALID: 11, CRL_HAS_EXPIRED: 12,
  DEPTH_ZERO_SELF_SIGNED_CERT: 18, SELF_SIGNED_CERT_IN_CHAIN: 19, UNABLE_TO_GET_ISSUER_CERT_LOCALLY: 20,
  UNABLE_TO_VERIFY_LEAF_SIGNATURE: 21, CERT_CHAIN_TOO_LONG: 22, CERT_REVOKED: 23, INVALID_CA: 24,
  PATH_LENGTH_EXCEEDED: 25, INVALID_PURPOSE: 26, CERT_UNTRUSTED: 27, CERT_REJECTED: 28, HOSTNAME_MISMATCH: 62
}

/** "C=FR\nO=x\nCN=y" (node) → "/C=FR/O=x/CN=y" (OpenSSL's one-line form, HAProxy's default). */
function oneLine (dn: string): string {
  return dn === '' ? '' : '/' + dn.split('\n').join('/')
}

/** Value of <entry> in <dn>: occurrence <occ> (1 = first, -1 = last, the default). */
function dnEntry (dn: string, entry: string, occ: number): string | undefined {
  const values = dn.split('\n').filter(l => l.startsWith(entry + '=')).map(l => l.slice(entry.length + 1))
  return values[occ > 0 ? occ - 1 : values.length + occ]
}

/** ASN.1 UTCTime text of <date> as HAProxy returns it: YYMMDDhhmmssZ. */
function asn1Time (date: string): string {
  const d = new Date(date)
  const two = (n: number): string => String(n).padStart(2, '0')
  return two(d.getUTCFullYear() % 100) + two(d.getUTCMonth() + 1) + two(d.getUTCDate()) +
    two(d.getUTCHours()) + two(d.getUTCMinutes()) + two(d.getUTCSeconds()) + 'Z'
}

const hexBytes = (hex: string): string => Buffer.from(hex.replace(/:/g, '').padStart(hex.length + (hex.length & 1), '0'), 'hex').toString('latin1')

/** The ssl_c_* (peer) or ssl_f_* (own) family of certificate fetches. */
function certFetches (prefix: string, cert: (t: TLSSocket) => X509Certificate | undefined): Record<string, FetchDef> {
  const read = (out: FetchDef['out'], fn: (c: X509Certificate) => string | undefined): FetchDef =>
    tlsFetch(out, t => { const c = cert(t); return c === undefined ? undefined : fn(c) })
  const dn = (pick: (c: X509Certificate) => string): FetchDef => ({
    args: [{ kind: 'str', optional: true }, { kind: 'int', optional: true }], out: 'str', use: USE_TLS,
    compile: (args): SampleFn => {
      const entry = args[0]
      const occ = args[1] === undefined ? -1 : leadingInt(args[1])
      return s => {
        const t = tlsOf(s)
        const c = t === null ? undefined : cert(t)
        if (c === undefined) return undefined
        return entry === undefined ? oneLine(pick(c)) : dnEntry(pick(c), entry, occ)
      }
    }
  })
  return {
    [`${prefix}_s_dn`]: dn(c => c.subject),
    [`${prefix}_i_dn`]: dn(c => c.issuer),
    [`${prefix}_serial`]: read('bin', c => hexBytes(c.serialNumber)),
    [`${prefix}_sha1`]: read('bin', c => hexBytes(c.fingerprint)),
    [`${prefix}_der`]: read('bin', c => c.raw.toString('latin1')),
    [`${prefix}_notafter`]: read('str', c => asn1Time(c.validTo)),
    [`${prefix}_notbefore`]: read('str', c => asn1Time(c.validFrom))
  }
}

/** req.ssl_*: read the TLS ClientHello in the request bytes (passthrough, tcp-request content). */
const helloFetch = (out: FetchDef['out'], read: (h: HelloInfo) => string | number | boolean | undefined): FetchDef => ({
  args: [], out, use: Phase.L4Content,
  compile: () => s => {
    const data = (s as Partial<PayloadHolder>).reqData ?? null
    const h = data === null ? null : clientHelloOf(data)
    return h === null ? undefined : read(h)
  }
})

const peerCert = (t: TLSSocket): X509Certificate | undefined => t.getPeerX509Certificate()
const ownCert = (t: TLSSocket): X509Certificate | undefined => t.getX509Certificate()

export const SSL_FETCHES: Readonly<Record<string, FetchDef>> = {
  ssl_fc: { args: [], out: 'bool', use: USE_TLS, compile: () => s => tlsOf(s) !== null },
  ssl_fc_sni: tlsFetch('str', t => typeof t.servername === 'string' ? t.servername : undefined),
  ssl_fc_has_sni: tlsFetch('bool', t => typeof t.servername === 'string'),
  ssl_fc_protocol: tlsFetch('str', t => t.getProtocol() ?? undefined),
  ssl_fc_cipher: tlsFetch('str', t => t.getCipher()?.name),
  ssl_fc_alpn: tlsFetch('str', t => typeof t.alpnProtocol === 'string' ? t.alpnProtocol : undefined),
  ssl_fc_is_resumed: tlsFetch('bool', t => t.isSessionReused()),
  ssl_fc_has_crt: tlsFetch('bool', t => t.getPeerX509Certificate() !== undefined),
  ssl_c_used: tlsFetch('bool', t => t.getPeerX509Certificate() !== undefined),
  // 0 without a certificate too: only a presented certificate is verified
  ssl_c_verify: tlsFetch('int', t => t.authorized || !t.authorizationError || t.getPeerX509Certificate() === undefined
    ? 0
    : VERIFY_CODES[String(t.authorizationError)] ?? 1),
  ...certFetches('ssl_c', peerCert),
  ...certFetches('ssl_f', ownCert),
  'req.ssl_hello_type': helloFetch('int', h => h.handshakeType),
  'req.ssl_ver': helloFetch('int', h => h.recordVersion),
  'req.ssl_sni': helloFetch('str', h => h.sni ?? undefined),
  'req.ssl_alpn': helloFetch('str', h => h.alpn[0]),
  'req.ssl_st_ext': helloFetch('bool', h => h.sessionTicketExt),
  'req.ssl_ec_ext': helloFetch('bool', h => h.ellipticCurvesExt),
  req_ssl_hello_type: helloFetch('int', h => h.handshakeType),
  req_ssl_ver: helloFetch('int', h => h.recordVersion),
  req_ssl_sni: helloFetch('str', h => h.sni ?? undefined)
}
