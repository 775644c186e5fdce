import { constants, createHash } from 'node:crypto'
import { DEFAULT_CIPHERS, createSecureContext, type SecureContext, type SecureContextOptions, type SecureVersion } from 'node:tls'
import type { TlsCommonPlan, TlsVersionName } from '../config/plan.ts'

/** Secure contexts, built once per distinct content: the configuration
 *  builds them while it is checked (a bad key or cipher list is a config
 *  error), the listeners and server connections fetch the same objects, and a
 *  reload with unchanged files finds them again instead of rebuilding. */

const NODE_VERSION: Readonly<Record<TlsVersionName, SecureVersion>> = {
  SSLv3: 'TLSv1', 'TLSv1.0': 'TLSv1', 'TLSv1.1': 'TLSv1.1', 'TLSv1.2': 'TLSv1.2', 'TLSv1.3': 'TLSv1.3'
}

export const TLS_VERSION_NAMES: readonly TlsVersionName[] = ['SSLv3', 'TLSv1.0', 'TLSv1.1', 'TLSv1.2', 'TLSv1.3']

const DEFAULT_SUITES = DEFAULT_CIPHERS.split(':').filter(c => c.startsWith('TLS_')).join(':')
const DEFAULT_LEGACY = DEFAULT_CIPHERS.split(':').filter(c => !c.startsWith('TLS_')).join(':')

/** node:tls options of <c>, with an optional certificate. HAProxy's default
 *  minimum is TLSv1.2, as node's. WHY both lists joined: node takes TLS 1.3
 *  suites and older ciphers in one string; setting one must keep the other's default. */
export function contextOptions (c: TlsCommonPlan, cert: { chain: Buffer; key: Buffer } | null, serverPreference: boolean, tickets: boolean): SecureContextOptions {
  const o: SecureContextOptions = {
    ciphers: `${c.ciphersuites ?? DEFAULT_SUITES}:${c.ciphers ?? DEFAULT_LEGACY}`,
    minVersion: NODE_VERSION[c.minVersion ?? 'TLSv1.2'],
    maxVersion: NODE_VERSION[c.maxVersion ?? 'TLSv1.3'],
    honorCipherOrder: serverPreference
  }
  if (cert !== null) { o.cert = cert.chain; o.key = cert.key }
  if (c.ca !== null) o.ca = c.ca
  if (c.crl !== null) o.crl = c.crl
  if (!tickets) o.secureOptions = constants.SSL_OP_NO_TICKET
  return o
}

const MAX_CACHED = 256
const cache = new Map<string, SecureContext>()

function contentKey (o: SecureContextOptions): string {
  const h = createHash('sha256')
  for (const [k, v] of Object.entries(o)) {
    h.update(k).update('\0')
    h.update(Buffer.isBuffer(v) ? v : String(v)).update('\0')
  }
  return h.digest('base64')
}

/** The secure context of <o>, built on first use. Throws node's error for
 *  bad material (mismatched key, bad cipher list). Bounded: the oldest
 *  entries go first, the ones in use are held by their users. */
export function secureContextFor (o: SecureContextOptions): SecureContext {
  const key = contentKey(o)
  const hit = cache.get(key)
  if (hit !== undefined) {
    cache.delete(key)
    cache.set(key, hit)
    return hit
  }
  const ctx = createSecureContext(o)
  cache.set(key, ctx)
  if (cache.size > MAX_CACHED) cache.delete(cache.keys().next().value as string)
  return ctx
}

/** Content digest of <o> (a listener keeps its TLS server while it is unchanged). */
export function optionsDigest (o: object): string {
  return contentKey(o as SecureContextOptions)
}
