import { execFileSync } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

/** Certificates made at run time with the openssl CLI (no key is kept in
 *  the repository): a test CA, server certificates signed by it, a client
 *  certificate, and a second CA the servers do not trust. */
export interface TestCerts {
  dir: string
  /** CA certificate file (PEM) and a second, unrelated CA */
  ca: string
  otherCa: string
  /** cert + key in one file: CN a.example.com, SAN a.example.com and *.wild.example.com */
  a: string
  /** cert only, its key beside it as b.pem.key: CN b.example.com */
  b: string
  /** certificate signed by the other CA: CN a.example.com */
  rogue: string
  /** client certificate signed by the CA (CN client1, O Pocket, C FR), and its key */
  clientCrt: string
  clientKey: string
  /** a file with a certificate whose key does not match */
  mismatched: string
  read (file: string): Buffer
  remove (): void
}

function openssl (args: string[], cwd: string): void {
  execFileSync('openssl', args, { cwd, stdio: 'ignore' })
}

function ca (dir: string, name: string, cn: string): void {
  openssl(['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', `${name}.key`,
    '-out', `${name}.crt`, '-days', '2', '-subj', `/CN=${cn}`], dir)
}

/** A leaf signed by CA <caName>; <san> like "DNS:a.example.com". */
function leaf (dir: string, name: string, subj: string, caName: string, san: string | null): void {
  openssl(['req', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', `${name}.key`,
    '-out', `${name}.csr`, '-subj', subj], dir)
  const ext = join(dir, `${name}.ext`)
  writeFileSync(ext, san === null ? 'basicConstraints=CA:FALSE\n' : `basicConstraints=CA:FALSE\nsubjectAltName=${san}\n`)
  openssl(['x509', '-req', '-in', `${name}.csr`, '-CA', `${caName}.crt`, '-CAkey', `${caName}.key`, '-CAcreateserial',
    '-out', `${name}.crt`, '-days', '2', '-extfile', ext], dir)
}

export function makeTestCerts (): TestCerts {
  const dir = mkdtempSync(join(tmpdir(), 'plb-tls-'))
  ca(dir, 'ca', 'Pocket Test CA')
  ca(dir, 'other', 'Other CA')
  leaf(dir, 'a', '/CN=a.example.com', 'ca', 'DNS:a.example.com,DNS:*.wild.example.com')
  leaf(dir, 'b', '/CN=b.example.com', 'ca', 'DNS:b.example.com')
  leaf(dir, 'rogue', '/CN=a.example.com', 'other', 'DNS:a.example.com')
  leaf(dir, 'client', '/C=FR/O=Pocket/CN=client1', 'ca', null)
  const cat = (...files: string[]): Buffer => Buffer.concat(files.map(f => readFileSync(join(dir, f))))
  writeFileSync(join(dir, 'a.pem'), cat('a.crt', 'ca.crt', 'a.key'))
  writeFileSync(join(dir, 'b.pem'), cat('b.crt'))
  writeFileSync(join(dir, 'b.pem.key'), cat('b.key'))
  writeFileSync(join(dir, 'rogue.pem'), cat('rogue.crt', 'rogue.key'))
  writeFileSync(join(dir, 'mismatch.pem'), cat('b.crt', 'a.key'))
  return {
    dir,
    ca: join(dir, 'ca.crt'),
    otherCa: join(dir, 'other.crt'),
    a: join(dir, 'a.pem'),
    b: join(dir, 'b.pem'),
    rogue: join(dir, 'rogue.pem'),
    clientCrt: join(dir, 'client.crt'),
    clientKey: join(dir, 'client.key'),
    mismatched: join(dir, 'mismatch.pem'),
    read: file => readFileSync(file),
    remove: () => rmSync(dir, { recursive: true, force: true })
  }
}
