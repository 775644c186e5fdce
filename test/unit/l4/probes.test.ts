import { test } from 'node:test'
import assert from 'node:assert/strict'
import { createServer, type Server } from 'node:http'
import { createHash } from 'node:crypto'
import type { AddressInfo } from 'node:net'
import { httpGetProbe } from '../../../src/l4/probe-http-get.ts'
import { dynamicWeight, miscProbe } from '../../../src/l4/probe-misc.ts'
import type { CheckPlan } from '../../../src/config/plan.ts'

const PLAN: CheckPlan = { kind: 'tcp', httpMethod: '', httpUri: '', httpVersion: '', httpExtra: '', steps: [], logHealthChecks: false }
const BODY = 'healthy\n'
const MD5 = createHash('md5').update(BODY).digest('hex')

async function withServer (fn: (port: number, seen: string[]) => Promise<void>): Promise<void> {
  const seen: string[] = []
  const srv: Server = createServer((req, res) => {
    seen.push(`${req.method} ${req.url} HTTP/${req.httpVersion} ${req.headers['user-agent']}`)
    if (req.url === '/health') res.end(BODY)
    else { res.statusCode = 503; res.end('no') }
  })
  await new Promise<void>(resolve => srv.listen(0, '127.0.0.1', resolve))
  try { await fn((srv.address() as AddressInfo).port, seen) } finally { srv.close() }
}

test('HTTP_GET: every url is fetched with GET HTTP/1.0; status_code ranges and the MD5 digest decide', async () => {
  await withServer(async (port, seen) => {
    const target = { host: '127.0.0.1', port, connectMs: 1000, exchangeMs: 1000 }
    const signal = new AbortController().signal
    const ok = await httpGetProbe([{ path: '/health', statusCodes: [], digest: MD5 }, { path: '/down', statusCodes: [[500, 503]], digest: null }], false).run(target, PLAN, signal)
    assert.deepEqual([ok.status, ok.code], ['L7OK', 503])
    assert.deepEqual(seen, ['GET /health HTTP/1.0 KeepAliveClient', 'GET /down HTTP/1.0 KeepAliveClient'])
    const badStatus = await httpGetProbe([{ path: '/down', statusCodes: [], digest: null }], false).run(target, PLAN, signal)
    assert.deepEqual([badStatus.status, badStatus.code], ['L7STS', 503])
    const badDigest = await httpGetProbe([{ path: '/health', statusCodes: [], digest: '0'.repeat(32) }], false).run(target, PLAN, signal)
    assert.equal(badDigest.status, 'L7RSP')
    assert.match(badDigest.info, new RegExp(`MD5 digest error for /health: ${MD5}`))
  })
  const refused = await httpGetProbe([{ path: '/', statusCodes: [], digest: null }], false).run({ host: '127.0.0.1', port: 1, connectMs: 1000, exchangeMs: 1000 }, PLAN, new AbortController().signal)
  assert.equal(refused.status, 'L4CON')
})

test('MISC_CHECK: exit 0 is up, other codes down, misc_timeout kills the command', async () => {
  const target = { host: '127.0.0.1', port: 1, connectMs: 1000, exchangeMs: null }
  const signal = new AbortController().signal
  assert.equal((await miscProbe('exit 0', 1000, false).run(target, PLAN, signal)).status, 'L7OK')
  const failed = await miscProbe('exit 3', 1000, false).run(target, PLAN, signal)
  assert.deepEqual([failed.status, failed.code], ['L7STS', 3])
  const slow = await miscProbe('sleep 5', 200, false).run(target, PLAN, signal)
  assert.equal(slow.status, 'L7TOUT')
  assert.ok(slow.durationMs < 2000)
})

test('MISC_CHECK misc_dynamic: 2..255 are up with weight status − 2, 0 up with the weight unchanged, 1 down', async () => {
  const target = { host: '127.0.0.1', port: 1, connectMs: 1000, exchangeMs: null }
  const signal = new AbortController().signal
  const run = (code: number): ReturnType<ReturnType<typeof miscProbe>['run']> => miscProbe(`exit ${code}`, 1000, true).run(target, PLAN, signal)
  const seen = await Promise.all([0, 1, 2, 5, 255].map(async c => { const r = await run(c); return [r.status, dynamicWeight(r)] }))
  assert.deepEqual(seen, [['L7OK', null], ['L7STS', null], ['L7OK', 0], ['L7OK', 3], ['L7OK', 253]])
})
