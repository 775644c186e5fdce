import { test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import type { TlsCertPlan } from '../../../src/config/plan.ts'
import { SniIndex } from '../../../src/tls/sni.ts'
import { applyVersionWord, type VersionRange } from '../../../src/tls/versions.ts'
import { bindContextOptions, compileBindTls } from '../../../src/tls/bind-words.ts'
import { secureContextFor } from '../../../src/tls/contexts.ts'
import { makeTestCerts, type TestCerts } from '../../e2e/tls/certs.ts'

const cert = (file: string, names: string[], excluded: string[] = []): TlsCertPlan =>
  ({ file, chain: Buffer.alloc(0), key: Buffer.alloc(0), names, excluded })

test('SNI index: exact before wildcard, one label only, first declared wins, exclusions', () => {
  const idx = new SniIndex([
    { cert: cert('w', ['*.example.com']), value: 'wild' },
    { cert: cert('e', ['www.example.com']), value: 'exact' },
    { cert: cert('e2', ['www.example.com', '*.example.com']), value: 'second' },
    { cert: cert('x', ['*.example.com'], ['skip.example.com']), value: 'excluding' }
  ])
  assert.equal(idx.find('www.example.com'), 'exact')
  assert.equal(idx.find('WWW.Example.COM'), 'exact')
  assert.equal(idx.find('api.example.com'), 'wild')
  assert.equal(idx.find('a.b.example.com'), undefined)
  assert.equal(idx.find('example.com'), undefined)
  assert.equal(idx.find('localhost'), undefined)
  const only = new SniIndex([{ cert: cert('x', ['*.example.com'], ['skip.example.com']), value: 'x' }])
  assert.equal(only.find('skip.example.com'), undefined)
  assert.equal(only.find('keep.example.com'), 'x')
})

test('version words fold into a [min, max] range', () => {
  const r: VersionRange = { min: null, max: null }
  assert.equal(applyVersionWord(r, 'ssl-min-ver', 'TLSv1.3'), true)
  assert.deepEqual(r, { min: 'TLSv1.3', max: null })
  const n: VersionRange = { min: null, max: null }
  applyVersionWord(n, 'no-tlsv10', undefined)
  applyVersionWord(n, 'no-tlsv11', undefined)
  applyVersionWord(n, 'no-tlsv13', undefined)
  assert.deepEqual(n, { min: 'TLSv1.2', max: 'TLSv1.2' })
  const f: VersionRange = { min: null, max: null }
  applyVersionWord(f, 'force-tlsv12', undefined)
  assert.deepEqual(f, { min: 'TLSv1.2', max: 'TLSv1.2' })
  assert.match(String(applyVersionWord(f, 'ssl-max-ver', 'TLSv9')), /unknown value 'TLSv9'/)
  assert.equal(applyVersionWord(f, 'crt', 'x'), false)
})

let certs: TestCerts
before(() => { certs = makeTestCerts() })
after(() => certs?.remove())

test('bind words: names from CN and SANs, crt-list filters, verify needs a CA, unknown words refused', () => {
  const r = compileBindTls(['crt', certs.a, 'crt', certs.b, 'alpn', 'h2,http/1.1', 'ssl-min-ver', 'TLSv1.3', 'strict-sni'], '/')
  assert.ok('plan' in r)
  assert.deepEqual(r.plan.certs.map(c => c.names), [['a.example.com', '*.wild.example.com'], ['b.example.com']])
  assert.deepEqual(r.plan.alpn, ['h2', 'http/1.1'])
  assert.equal(r.plan.minVersion, 'TLSv1.3')
  assert.equal(r.plan.strictSni, true)
  const list = join(certs.dir, 'list.txt')
  writeFileSync(list, `# comment\n${certs.b} [] www.b.test !no.b.test\na.pem\n`)
  const l = compileBindTls(['crt-list', list], certs.dir)
  assert.ok('plan' in l)
  assert.deepEqual(l.plan.certs.map(c => [c.names, c.excluded]), [[['www.b.test'], ['no.b.test']], [['a.example.com', '*.wild.example.com'], []]])
  assert.deepEqual(compileBindTls(['crt', certs.a, 'verify', 'required'], '/'), { error: "verify is enabled but no CA file specified (use 'ca-file')." })
  assert.deepEqual(compileBindTls([], '/'), { error: "no SSL certificate specified (use 'crt')." })
  const bad = compileBindTls(['crt', certs.a, 'ciphers', 'NOT-A-CIPHER', 'ciphersuites', 'NOT-A-SUITE'], '/')
  assert.ok('error' in bad)
  assert.match(bad.error, /^unable to use SSL certificate '.*a\.pem' with these settings/)
  const npn = compileBindTls(['crt', certs.a, 'npn', 'http/1.1'], '/')
  assert.ok('plan' in npn)
  assert.deepEqual(npn.warnings, ["'npn' has no effect on this device and is ignored."])
})

test('secure contexts are built once per content and found again', () => {
  const r = compileBindTls(['crt', certs.a], '/')
  assert.ok('plan' in r)
  const again = compileBindTls(['crt', certs.a], '/')
  assert.ok('plan' in again)
  const c1 = secureContextFor(bindContextOptions(r.plan, r.plan.certs[0]!))
  const c2 = secureContextFor(bindContextOptions(again.plan, again.plan.certs[0]!))
  assert.equal(c1, c2)
  const other = compileBindTls(['crt', certs.a, 'ssl-min-ver', 'TLSv1.3'], '/')
  assert.ok('plan' in other)
  assert.notEqual(secureContextFor(bindContextOptions(other.plan, other.plan.certs[0]!)), c1)
})
