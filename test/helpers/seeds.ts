import { cpSync, mkdtempSync, rmSync, writeFileSync, readFileSync } from 'node:fs'
import { execFileSync } from 'node:child_process'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

const fixtures = join(import.meta.dirname, '../fixtures/config/seeds')

/** A private copy of the seed configurations (test/fixtures/config/seeds)
 *  with the certificate the TLS seed names (haproxy.pem: self-signed cert +
 *  key for localhost) generated now: no private key lives in the repo. */
export function seedsCopy (): { dir: string; remove (): void } {
  const dir = mkdtempSync(join(tmpdir(), 'plb-seeds-'))
  cpSync(fixtures, dir, { recursive: true })
  const key = join(dir, 'key.pem')
  const cert = join(dir, 'cert.pem')
  execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '2', '-subj', '/CN=localhost',
    '-keyout', key, '-out', cert], { stdio: 'ignore', timeout: 30000 })
  writeFileSync(join(dir, 'haproxy.pem'), readFileSync(cert, 'utf8') + readFileSync(key, 'utf8'))
  rmSync(key); rmSync(cert)
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) }
}
