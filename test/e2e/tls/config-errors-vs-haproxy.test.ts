import { test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { execFile } from 'node:child_process'
import { copyFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { loadConfigFiles } from '../../../src/config/load.ts'
import { Engine } from '../../../src/proxy/engine.ts'
import { freePort } from '../../helpers/net.ts'
import { makeTestCerts, type TestCerts } from './certs.ts'
import { tlsRequest } from './client.ts'

// Broken certificates are configuration errors located at the bind/server
// line, with HAProxy's words (compared with `haproxy -c` on the same files);
// a reload re-reads the certificates, and a broken one leaves the running
// configuration in service.

const run = promisify(execFile)
let certs: TestCerts

before(() => { certs = makeTestCerts() })
after(() => certs?.remove())

const DEFAULTS = 'defaults\n  mode http\n  timeout client 5s\n  timeout server 5s\n  timeout connect 5s\n'

/** HAProxy's alert lines for <cfg> (file:line located ones), without the "[ALERT] (pid) : config : " prefix. */
async function haproxyAlerts (file: string): Promise<string[]> {
  const r = await run('haproxy', ['-c', '-f', file]).catch((e: { stdout: string; stderr: string }) => e)
  return (r.stdout + r.stderr).split('\n').filter(l => l.includes('[ALERT]') && /\[[^\]]+:\d+\]/.test(l))
    .map(l => l.replace(/^\[ALERT\]\s+\(\d+\) : config : /, ''))
}

function pocketlbAlerts (file: string): string[] {
  const r = loadConfigFiles([file])
  return r.ok ? [] : r.alerts
}

test('broken, missing, keyless and mismatched certificates are alerts with file:line, as HAProxy words them', async () => {
  const garbage = join(certs.dir, 'garbage.pem')
  writeFileSync(garbage, 'not a certificate\n')
  const certOnly = join(certs.dir, 'certonly.pem')
  copyFileSync(join(certs.dir, 'a.crt'), certOnly)
  const cases = [garbage, join(certs.dir, 'missing.pem'), certOnly, certs.mismatched]
  for (const crt of cases) {
    const file = join(certs.dir, 'bad.cfg')
    writeFileSync(file, `${DEFAULTS}frontend f\n  bind 127.0.0.1:1 ssl crt ${crt}\n  default_backend b\nbackend b\n  server s 127.0.0.1:2\n`)
    const expected = await haproxyAlerts(file)
    assert.equal(expected.length, 1, `haproxy said ${expected.join('|')}`)
    assert.deepEqual(pocketlbAlerts(file), expected, crt)
  }
})

test('a server with ssl and no CA file needs an explicit verify none, as in HAProxy 2.6', async () => {
  const file = join(certs.dir, 'srv.cfg')
  // a missing ca-file stops at parsing; the verify check comes after parsing, for each server
  writeFileSync(file, `${DEFAULTS}frontend f\n  bind 127.0.0.1:1\n  default_backend b\nbackend b\n  server s 127.0.0.1:2 ssl\n  server t 127.0.0.1:3 ssl ca-file ${join(certs.dir, 'nothere.pem')}\n`)
  const missing = await haproxyAlerts(file)
  assert.equal(missing.length, 1)
  assert.deepEqual(pocketlbAlerts(file), missing)
  writeFileSync(file, `${DEFAULTS}frontend f\n  bind 127.0.0.1:1\n  default_backend b\nbackend b\n  server s 127.0.0.1:2 ssl\n  server t 127.0.0.1:3 ssl verify required\n`)
  const noCa = await haproxyAlerts(file)
  assert.equal(noCa.length, 2)
  assert.deepEqual(pocketlbAlerts(file), noCa)
  writeFileSync(file, `${DEFAULTS}frontend f\n  bind 127.0.0.1:1\n  default_backend b\nbackend b\n  server s 127.0.0.1:2 ssl verify none\n`)
  assert.deepEqual(await haproxyAlerts(file), [])
  assert.equal(loadConfigFiles([file]).ok, true)
})

test('reload re-reads certificates; a broken one is refused and the old one stays in service', async () => {
  const port = await freePort()
  const served = join(certs.dir, 'served.pem')
  copyFileSync(certs.a, served)
  const file = join(certs.dir, 'reload.cfg')
  writeFileSync(file, `${DEFAULTS}frontend f\n  bind 127.0.0.1:${port} ssl crt ${served}\n  http-request return status 200 content-type text/plain string ok\n`)
  const engine = new Engine(true)
  try {
    const first = loadConfigFiles([file])
    assert.ok(first.ok)
    await engine.apply(first.plan)
    assert.equal((await tlsRequest(port, { servername: 'x' })).servedCn, 'a.example.com')
    // same files: same plan content, served as before
    const same = loadConfigFiles([file])
    assert.ok(same.ok)
    await engine.apply(same.plan)
    assert.equal((await tlsRequest(port, { servername: 'x' })).servedCn, 'a.example.com')
    // the file now holds another certificate: a reload serves it
    writeFileSync(served, Buffer.concat([certs.read(join(certs.dir, 'b.crt')), certs.read(join(certs.dir, 'b.key'))]))
    const next = loadConfigFiles([file])
    assert.ok(next.ok)
    await engine.apply(next.plan)
    const answer = await tlsRequest(port, { servername: 'x' })
    assert.equal(answer.servedCn, 'b.example.com')
    assert.equal(answer.status, 200)
    // a broken file: the reload is refused with a located alert, b is still served
    writeFileSync(served, 'broken\n')
    const broken = loadConfigFiles([file])
    assert.equal(broken.ok, false)
    assert.match(broken.ok ? '' : broken.alerts[0]!, /^parsing \[.*reload\.cfg:7\] : 'bind 127\.0\.0\.1:\d+' in section 'frontend' : unable to load certificate/)
    assert.equal((await tlsRequest(port, { servername: 'x' })).servedCn, 'b.example.com')
  } finally {
    await engine.stop()
  }
})
