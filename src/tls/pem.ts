import { X509Certificate, createPrivateKey } from 'node:crypto'

/** PEM files as HAProxy reads them for `crt`: certificate, chain and private
 *  key in one file, or the key in "<file>.key" beside it. */

const BLOCK = /-----BEGIN ([A-Z0-9 ]+)-----[\s\S]+?-----END \1-----\r?\n?/g

export interface PemParts {
  /** CERTIFICATE blocks in file order (leaf first), as PEM text */
  readonly certs: string[]
  /** the first private key block, or null */
  readonly key: string | null
}

/** Splits <text> into certificate and private-key blocks (other blocks, such
 *  as DH parameters, are ignored). */
export function splitPem (text: string): PemParts {
  const certs: string[] = []
  let key: string | null = null
  for (const m of text.matchAll(BLOCK)) {
    const label = m[1] as string
    if (label === 'CERTIFICATE' || label === 'TRUSTED CERTIFICATE') certs.push(m[0])
    else if (label.endsWith('PRIVATE KEY') && key === null) key = m[0]
  }
  return { certs, key }
}

/** Checks that <key> is the private key of <leaf> (PEM texts); an error text or null. */
export function keyMismatch (leaf: string, key: string): string | null {
  try {
    const cert = new X509Certificate(leaf)
    return cert.checkPrivateKey(createPrivateKey(key)) ? null : 'mismatch'
  } catch (e) {
    return (e as Error).message
  }
}

/** Lower-case names a certificate answers for: DNS subjectAltNames when
 *  present, else the subject CN (HAProxy indexes both; SANs win in clients). */
export function certificateNames (leaf: string): string[] {
  const cert = new X509Certificate(leaf)
  const names = new Set<string>()
  const cn = /(?:^|\n)CN=([^\n]+)/.exec(cert.subject)?.[1]
  if (cn !== undefined) names.add(cn.toLowerCase())
  for (const part of (cert.subjectAltName ?? '').split(', ')) {
    if (part.startsWith('DNS:')) names.add(part.slice(4).toLowerCase())
  }
  return [...names]
}
