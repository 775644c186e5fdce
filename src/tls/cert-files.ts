import { readFileSync, readdirSync, statSync } from 'node:fs'
import { isAbsolute, join } from 'node:path'
import type { TlsCertPlan } from '../config/plan.ts'
import { certificateNames, keyMismatch, splitPem } from './pem.ts'

/** Loading of `crt` files, `crt` directories and `crt-list` files, with
 *  HAProxy's error texts. Errors are returned as text (the caller prefixes
 *  the keyword and location). */

export type Loaded<T> = { ok: true; value: T } | { ok: false; error: string }

const fail = <T>(error: string): Loaded<T> => ({ ok: false, error })

/** Files of a `crt` directory that are not certificates of their own. */
const SIDE_FILES = /\.(key|ocsp|issuer|sctl|dh)$/

export function resolvePath (baseDir: string, path: string): string {
  return isAbsolute(path) ? path : join(baseDir, path)
}

/** One PEM file: chain + key, the key possibly in "<file>.key". */
export function loadCertFile (file: string, filters: readonly string[] = []): Loaded<TlsCertPlan> {
  let text: string
  try {
    text = readFileSync(file, 'latin1')
  } catch (e) {
    return fail(`unable to stat SSL certificate from file '${file}' : ${errnoText(e)}.`)
  }
  const parts = splitPem(text)
  const leaf = parts.certs[0]
  if (leaf === undefined) return fail(`unable to load certificate from file '${file}'.`)
  let key = parts.key
  if (key === null) {
    try { key = splitPem(readFileSync(file + '.key', 'latin1')).key } catch { key = null }
    if (key === null) return fail(`No Private Key found in '${file}.key'.`)
  }
  if (keyMismatch(leaf, key) !== null) return fail(`inconsistencies between private key and certificate loaded '${file}'.`)
  const names = filters.filter(f => !f.startsWith('!')).map(f => f.toLowerCase())
  return {
    ok: true,
    value: {
      file, chain: Buffer.from(parts.certs.join(''), 'latin1'), key: Buffer.from(key, 'latin1'),
      names: names.length > 0 ? names : certificateNames(leaf),
      excluded: filters.filter(f => f.startsWith('!')).map(f => f.slice(1).toLowerCase())
    }
  }
}

/** `crt <path>`: a file, or every certificate file of a directory in name order. */
export function loadCrt (path: string): Loaded<TlsCertPlan[]> {
  let isDir = false
  try { isDir = statSync(path).isDirectory() } catch (e) {
    return fail(`unable to stat SSL certificate from file '${path}' : ${errnoText(e)}.`)
  }
  if (!isDir) {
    const one = loadCertFile(path)
    return one.ok ? { ok: true, value: [one.value] } : one
  }
  const out: TlsCertPlan[] = []
  for (const name of readdirSync(path).sort()) {
    if (SIDE_FILES.test(name) || name.startsWith('.')) continue
    const one = loadCertFile(join(path, name))
    if (!one.ok) return one
    out.push(one.value)
  }
  return { ok: true, value: out }
}

/** `crt-list <file>`: lines "<crtfile> [[ssl options]] [[!]sni-filter ...]".
 *  Per-line ssl options in brackets are not supported (an error names them). */
export function loadCrtList (listFile: string, baseDir: string): Loaded<TlsCertPlan[]> {
  let text: string
  try { text = readFileSync(listFile, 'utf8') } catch (e) {
    return fail(`cannot open the file '${listFile}' : ${errnoText(e)}.`)
  }
  const out: TlsCertPlan[] = []
  const lines = text.split('\n')
  for (let i = 0; i < lines.length; i++) {
    const line = (lines[i] as string).replace(/#.*/, '').trim()
    if (line === '') continue
    const words = line.split(/\s+/)
    const file = words[0] as string
    const rest = words.slice(1)
    if (rest[0]?.startsWith('[') === true && rest[0] !== '[]') {
      return fail(`crt-list '${listFile}' line ${i + 1}: per-certificate ssl options are not supported on this device.`)
    }
    const filters = rest[0] === '[]' ? rest.slice(1) : rest
    const one = loadCertFile(resolvePath(baseDir, file), filters)
    if (!one.ok) return fail(`${one.error.replace(/\.$/, '')} in crt-list '${listFile}' line ${i + 1}.`)
    out.push(one.value)
  }
  return { ok: true, value: out }
}

/** A PEM file read whole (ca-file, crl-file), or an error text. */
export function loadPemFile (what: string, file: string): Loaded<Buffer> {
  try {
    return { ok: true, value: readFileSync(file) }
  } catch (e) {
    return fail(`unable to load ${what} '${file}' : ${errnoText(e)}.`)
  }
}

function errnoText (e: unknown): string {
  const code = (e as NodeJS.ErrnoException).code
  return code === 'ENOENT' ? 'No such file or directory' : code === 'EACCES' ? 'Permission denied' : (e as Error).message
}
