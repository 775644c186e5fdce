import type { BindTlsPlan, TlsCertPlan } from '../config/plan.ts'
import { BIND_TLS_WORDS } from '../config/keywords/tls-words.ts'
import { loadCrt, loadCrtList, loadPemFile, resolvePath } from './cert-files.ts'
import { contextOptions, secureContextFor } from './contexts.ts'
import { applyVersionWord, type VersionRange } from './versions.ts'

/** The TLS words of a `bind … ssl` line (kept raw by config/keywords/bind.ts)
 *  compiled into a BindTlsPlan: files read, certificates checked and their
 *  secure contexts built now, so that a broken file is a configuration error. */

export type BindTlsResult = { plan: BindTlsPlan; warnings: string[] } | { error: string }

/** Words accepted for compatibility that change nothing here. */
const NO_EFFECT: ReadonlySet<string> = new Set([
  'npn', 'curves', 'ecdhe', 'sigalgs', 'client-sigalgs', 'ca-verify-file', 'crt-ignore-err', 'ca-ignore-err',
  'ca-sign-file', 'ca-sign-pass', 'allow-0rtt', 'generate-certificates', 'no-ca-names'
])

/** <words>: the raw TLS words with their arguments; <baseDir> resolves relative paths. */
export function compileBindTls (words: readonly string[], baseDir: string): BindTlsResult {
  const certs: TlsCertPlan[] = []
  const versions: VersionRange = { min: null, max: null }
  const warnings: string[] = []
  let alpn: string[] = []
  let ciphers: string | null = null
  let ciphersuites: string | null = null
  let strictSni = false
  let verify: BindTlsPlan['verify'] = 'none'
  let ca: Buffer | null = null
  let crl: Buffer | null = null
  let preferClientCiphers = false
  let noTlsTickets = false
  for (let i = 0; i < words.length; i++) {
    const w = words[i] as string
    const next = (): string => words[++i] as string
    const version = applyVersionWord(versions, w, words[i + 1])
    if (typeof version === 'string') return { error: version }
    if (version) { if (w.startsWith('ssl-')) i++; continue }
    switch (w) {
      case 'crt': {
        const r = loadCrt(resolvePath(baseDir, next()))
        if (!r.ok) return { error: r.error }
        certs.push(...r.value)
        break
      }
      case 'crt-list': {
        const r = loadCrtList(resolvePath(baseDir, next()), baseDir)
        if (!r.ok) return { error: r.error }
        certs.push(...r.value)
        break
      }
      case 'ca-file': case 'crl-file': {
        const r = loadPemFile(w === 'ca-file' ? 'CA file' : 'CRL file', resolvePath(baseDir, next()))
        if (!r.ok) return { error: r.error }
        if (w === 'ca-file') ca = r.value
        else crl = r.value
        break
      }
      case 'alpn': alpn = next().split(',').filter(p => p !== ''); break
      case 'ciphers': ciphers = next(); break
      case 'ciphersuites': ciphersuites = next(); break
      case 'strict-sni': strictSni = true; break
      case 'prefer-client-ciphers': preferClientCiphers = true; break
      case 'no-tls-tickets': noTlsTickets = true; break
      case 'verify': {
        const v = next()
        if (v !== 'none' && v !== 'optional' && v !== 'required') return { error: `'verify' : unknown verify method '${v}', only 'none', 'optional', and 'required' are supported.` }
        verify = v
        break
      }
      default:
        if (!NO_EFFECT.has(w)) return { error: `'${w}' is not supported on this device.` }
        warnings.push(`'${w}' has no effect on this device and is ignored.`)
        i += BIND_TLS_WORDS[w] ?? 0
    }
  }
  if (certs.length === 0) return { error: "no SSL certificate specified (use 'crt')." }
  if (verify !== 'none' && ca === null) return { error: "verify is enabled but no CA file specified (use 'ca-file')." }
  const plan: BindTlsPlan = {
    certs, strictSni, verify, preferClientCiphers, noTlsTickets, alpn, ciphers, ciphersuites,
    minVersion: versions.min, maxVersion: versions.max, ca, crl
  }
  for (const c of plan.certs) {
    try {
      secureContextFor(bindContextOptions(plan, c))
    } catch (e) {
      return { error: `unable to use SSL certificate '${c.file}' with these settings : ${(e as Error).message}.` }
    }
  }
  return { plan, warnings }
}

/** node:tls options of certificate <c> on bind <plan> (one secure context per certificate). */
export function bindContextOptions (plan: BindTlsPlan, c: TlsCertPlan | null): ReturnType<typeof contextOptions> {
  return contextOptions(plan, c, !plan.preferClientCiphers, !plan.noTlsTickets)
}
