import { test } from 'node:test'
import assert from 'node:assert/strict'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { loadConfigSources } from '../../../src/config/load.ts'
import { Engine } from '../../../src/proxy/engine.ts'
import { demoConfig } from '../../../src/demo/demo-config.ts'
import { ensureSelfSigned } from '../../../src/tls/self-signed.ts'
import { startBackend } from '../../helpers/backends.ts'
import { freePorts } from '../../helpers/net.ts'
import { tlsRequest } from './client.ts'

// The demo configuration's https bind serves the certificate generated on
// first start, and requests reach the demo servers marked as https.

test('demo config: https bind with the generated self-signed certificate', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'plb-demo-tls-'))
  const web = await startBackend('web1')
  const engine = new Engine(true)
  try {
    const [http, https] = await freePorts(2)
    const pem = ensureSelfSigned(dir)
    // web1 is the test backend; the second demo server and the stdout log are left out here
    const text = demoConfig(http!, web.port, { port: https!, pem }).replace('log stdout format raw local0', '').replace(/^ *server web2 .*$/m, '')
    const r = loadConfigSources([{ path: '<demo>', text }])
    assert.ok(r.ok, r.ok ? '' : r.alerts.join('\n'))
    await engine.apply(r.plan)
    // the client trusts the generated certificate itself: chain and name check pass
    const a = await tlsRequest(https!, { servername: 'localhost', ca: readFileSync(pem), rejectUnauthorized: true })
    assert.equal(a.error, '')
    assert.equal(a.servedCn, 'localhost')
    assert.equal(a.status, 200)
    const seen = web.seen.at(-1)!.headers
    assert.equal(seen[seen.findIndex(h => h.toLowerCase() === 'x-forwarded-proto') + 1], 'https')
  } finally {
    await engine.stop()
    await web.close()
    rmSync(dir, { recursive: true, force: true })
  }
})
