import { readFileSync } from 'node:fs'
import type { ServerTlsPlan } from '../config/plan.ts'
import type { Template } from '../rules/types.ts'
import { SERVER_TLS_WORDS } from '../config/keywords/tls-words.ts'
import { loadCertFile, resolvePath } from './cert-files.ts'
import { contextOptions, secureContextFor } from './contexts.ts'
import { applyVersionWord, type VersionRange } from './versions.ts'

/** The TLS words of a `server … ssl` line (and its default-server) compiled
 *  into ServerTlsPlan(s): the traffic one, and the health-check one when
 *  `check-ssl` is set. Texts follow HAProxy's post-parse server alerts. */

export interface ServerTlsInput {
  readonly ssl: boolean
  readonly checkSsl: boolean
  readonly words: readonly string[]
  readonly baseDir: string
  /** compiles a sample expression (the `sni` argument) into a template; throws with a message */
  readonly compileExpr: (expr: string) => Template
}

/** <error>: a parse-time error (bad file, word). <lateError>: what HAProxy reports
 *  only once the whole file parsed (verify without a CA file): the caller reports it then. */
export type ServerTlsResult =
  | { tls: ServerTlsPlan | null; checkTls: ServerTlsPlan | null; warnings: string[]; lateError?: string }
  | { error: string }

const NO_EFFECT: ReadonlySet<string> = new Set(['npn', 'curves', 'sigalgs', 'client-sigalgs', 'ssl-reuse', 'no-ssl-reuse',
  'tls-tickets', 'allow-0rtt', 'send-proxy-v2-ssl', 'send-proxy-v2-ssl-cn'])

const VERIFY_NO_CA = "verify is enabled by default but no CA file specified. If you're running on a LAN where you're " +
  "certain to trust the server's certificate, please set an explicit 'verify none' statement on the 'server' line, or use " +
  "'ssl-server-verify none' in the global section to disable server-side verifications by default."

export function compileServerTls (input: ServerTlsInput): ServerTlsResult {
  const { words, baseDir } = input
  const versions: VersionRange = { min: null, max: null }
  const warnings: string[] = []
  let ssl = input.ssl
  let verify: 'none' | 'required' | null = null
  let ca: Buffer | null = null
  let crl: Buffer | null = null
  let sni: Template | null = null
  let checkSni: string | null = null
  let alpn: string[] = []
  let checkAlpn: string[] | null = null
  let ciphers: string | null = null
  let ciphersuites: string | null = null
  let verifyHost: string | null = null
  let cert: ServerTlsPlan['cert'] = null
  let noTlsTickets = false
  for (let i = 0; i < words.length; i++) {
    const w = words[i] as string
    const arg = words[i + 1] ?? ''
    const version = applyVersionWord(versions, w, arg)
    if (typeof version === 'string') return { error: version }
    if (version) { i += SERVER_TLS_WORDS[w] ?? 0; continue }
    switch (w) {
      case 'verify':
        if (arg !== 'none' && arg !== 'required') return { error: `'verify' : unknown verify method '${arg}', only 'none' and 'required' are supported.` }
        verify = arg
        break
      case 'ca-file': case 'crl-file': {
        const file = resolvePath(baseDir, arg)
        let pem: Buffer
        try { pem = readFileSync(file) } catch {
          return { error: `Couldn't open the ${w} '${file}' (No such file or directory).` }
        }
        if (w === 'ca-file') ca = pem
        else crl = pem
        break
      }
      case 'crt': {
        const r = loadCertFile(resolvePath(baseDir, arg))
        if (!r.ok) return { error: r.error }
        cert = { chain: r.value.chain, key: r.value.key }
        break
      }
      case 'sni':
        try { sni = input.compileExpr(arg) } catch (e) { return { error: `error in 'sni' expression '${arg}' : ${(e as Error).message}.` } }
        break
      case 'check-sni': checkSni = arg; break
      case 'alpn': alpn = arg.split(',').filter(p => p !== ''); break
      case 'check-alpn': checkAlpn = arg.split(',').filter(p => p !== ''); break
      case 'ciphers': ciphers = arg; break
      case 'ciphersuites': ciphersuites = arg; break
      case 'verifyhost': verifyHost = arg; break
      case 'no-tls-tickets': noTlsTickets = true; break
      case 'no-ssl': ssl = false; break
      default:
        if (!NO_EFFECT.has(w)) return { error: `'${w}' is not supported on this device.` }
        warnings.push(`'${w}' has no effect on this device and is ignored.`)
    }
    i += SERVER_TLS_WORDS[w] ?? 0
  }
  if (!ssl && !input.checkSsl) return { tls: null, checkTls: null, warnings }
  if ((verify ?? 'required') === 'required' && ca === null) return { tls: null, checkTls: null, warnings, lateError: VERIFY_NO_CA }
  const tls: ServerTlsPlan = {
    verify: verify ?? 'required', verifyHost, sni, cert, noTlsTickets, alpn, ciphers, ciphersuites,
    minVersion: versions.min, maxVersion: versions.max, ca, crl
  }
  try {
    secureContextFor(serverContextOptions(tls))
  } catch (e) {
    return { error: `unable to build the SSL context : ${(e as Error).message}.` }
  }
  const checkTls: ServerTlsPlan | null = !input.checkSsl
    ? null
    : { ...tls, alpn: checkAlpn ?? tls.alpn, sni: checkSni === null ? null : () => checkSni as string }
  return { tls: ssl ? tls : null, checkTls, warnings }
}

/** node:tls options of a server-side plan (one cached secure context per distinct plan). */
export function serverContextOptions (p: ServerTlsPlan): ReturnType<typeof contextOptions> {
  return contextOptions(p, p.cert, false, !p.noTlsTickets)
}
