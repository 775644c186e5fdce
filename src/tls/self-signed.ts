import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { generateKeyPairSync, randomBytes, sign } from 'node:crypto'
import { isIP } from 'node:net'
import { bitString, boolean, explicit, implicit, integer, octetString, oid, sequence, set, smallInteger, time, utf8String } from './der.ts'

/** A self-signed certificate for the web UI and the demo's https bind, made
 *  on the device at first start (nothing secret ships in the image): an
 *  ECDSA P-256 key and an X.509 v3 certificate written with our own DER
 *  encoder, so no openssl binary is needed. */

const ECDSA_WITH_SHA256 = '1.2.840.10045.4.3.2'
const COMMON_NAME = '2.5.4.3'
const ORGANIZATION = '2.5.4.10'
const SUBJECT_ALT_NAME = '2.5.29.17'
const BASIC_CONSTRAINTS = '2.5.29.19'

export interface SelfSignedOptions {
  readonly commonName: string
  /** DNS names and IP addresses the certificate answers for */
  readonly altNames: readonly string[]
  readonly days: number
  /** start of validity (tests); default now minus one hour, for clocks slightly behind */
  readonly notBefore?: Date
}

/** PEM texts of a new certificate and its private key (PKCS#8). */
export function makeSelfSigned (o: SelfSignedOptions): { cert: string; key: string } {
  const { publicKey, privateKey } = generateKeyPairSync('ec', { namedCurve: 'prime256v1' })
  const serial = randomBytes(16)
  serial[0] = ((serial[0] as number) & 0x7f) | 0x01
  const from = o.notBefore ?? new Date(Date.now() - 3600_000)
  const until = new Date(from.getTime() + o.days * 86400_000)
  const name = sequence(
    set(sequence(oid(ORGANIZATION), utf8String('pocketlb'))),
    set(sequence(oid(COMMON_NAME), utf8String(o.commonName)))
  )
  const algorithm = sequence(oid(ECDSA_WITH_SHA256))
  const generalNames = o.altNames.map(n => isIP(n) === 4
    ? implicit(7, Buffer.from(n.split('.').map(Number)))
    : implicit(2, Buffer.from(n, 'latin1')))
  const extensions = sequence(
    sequence(oid(BASIC_CONSTRAINTS), boolean(true), octetString(sequence())),
    sequence(oid(SUBJECT_ALT_NAME), octetString(sequence(...generalNames)))
  )
  const tbs = sequence(
    explicit(0, smallInteger(2)),
    integer(serial),
    algorithm,
    name,
    sequence(time(from), time(until)),
    name,
    publicKey.export({ type: 'spki', format: 'der' }),
    explicit(3, extensions)
  )
  const signature = sign('sha256', tbs, privateKey)
  const der = sequence(tbs, algorithm, bitString(signature))
  return { cert: pem('CERTIFICATE', der), key: privateKey.export({ type: 'pkcs8', format: 'pem' }) as string }
}

function pem (label: string, der: Buffer): string {
  const b64 = der.toString('base64').replace(/.{64}/g, '$&\n').replace(/\n$/, '')
  return `-----BEGIN ${label}-----\n${b64}\n-----END ${label}-----\n`
}

/** Path of "<dir>/pocketlb-selfsigned.pem" (certificate + key, as `crt` reads
 *  it), made on first call and kept afterwards. The key file is private to the user. */
export function ensureSelfSigned (dir: string, altNames: readonly string[] = ['localhost', '127.0.0.1']): string {
  const file = join(dir, 'pocketlb-selfsigned.pem')
  if (existsSync(file) && readFileSync(file, 'latin1').includes('PRIVATE KEY')) return file
  mkdirSync(dir, { recursive: true })
  const { cert, key } = makeSelfSigned({ commonName: altNames[0] ?? 'pocketlb', altNames, days: 825 })
  writeFileSync(file, cert + key, { mode: 0o600 })
  return file
}
