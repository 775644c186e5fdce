import { test } from 'node:test'
import assert from 'node:assert/strict'
import { execFileSync } from 'node:child_process'
import { X509Certificate, createPrivateKey } from 'node:crypto'
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { ensureSelfSigned, makeSelfSigned } from '../../../src/tls/self-signed.ts'
import { loadCertFile } from '../../../src/tls/cert-files.ts'

test('the self-signed certificate parses, is signed by its own key and carries the names', () => {
  const notBefore = new Date(Date.UTC(2026, 0, 2, 3, 4, 5))
  const { cert, key } = makeSelfSigned({ commonName: 'pocket.local', altNames: ['pocket.local', 'localhost', '192.168.1.1'], days: 10, notBefore })
  const x = new X509Certificate(cert)
  assert.equal(x.subject, 'O=pocketlb\nCN=pocket.local')
  assert.equal(x.issuer, x.subject)
  assert.equal(x.subjectAltName, 'DNS:pocket.local, DNS:localhost, IP Address:192.168.1.1')
  assert.equal(x.ca, false)
  assert.equal(new Date(x.validFrom).getTime(), notBefore.getTime())
  assert.equal(new Date(x.validTo).getTime(), notBefore.getTime() + 10 * 86400_000)
  assert.ok(x.verify(x.publicKey))
  assert.ok(x.checkPrivateKey(createPrivateKey(key)))
  assert.equal(x.checkHost('localhost'), 'localhost')
  assert.equal(x.checkIP('192.168.1.1'), '192.168.1.1')
})

test('openssl reads it and verifies its self-signature', () => {
  const dir = mkdtempSync(join(tmpdir(), 'plb-ss-'))
  try {
    const { cert } = makeSelfSigned({ commonName: 'x.test', altNames: ['x.test'], days: 2 })
    writeFileSync(join(dir, 'c.pem'), cert)
    const out = execFileSync('openssl', ['verify', '-CAfile', join(dir, 'c.pem'), join(dir, 'c.pem')], { encoding: 'utf8' })
    assert.match(out, /: OK/)
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
})

test('ensureSelfSigned makes the file once (mode 0600) and the crt loader accepts it', () => {
  const dir = mkdtempSync(join(tmpdir(), 'plb-ss-'))
  try {
    const file = ensureSelfSigned(dir)
    const first = readFileSync(file, 'latin1')
    assert.equal(statSync(file).mode & 0o777, 0o600)
    assert.equal(ensureSelfSigned(dir), file)
    assert.equal(readFileSync(file, 'latin1'), first)
    const loaded = loadCertFile(file)
    assert.ok(loaded.ok)
    // only DNS names choose certificates by SNI (clients never send an IP as SNI)
    assert.deepEqual(loaded.value.names, ['localhost'])
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
})
