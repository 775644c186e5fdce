import { test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import type { FastifyInstance, LightMyRequestResponse } from 'fastify'
import { controlPair, type ControlClient } from '../../../src/runtime/control.ts'
import { Store } from '../../../src/store/store.ts'
import { Live } from '../../../src/ui/live.ts'
import { buildUi } from '../../../src/ui/server.ts'
import { SetupToken, LoginLimiter } from '../../../src/ui/auth.ts'
import { loadAssets } from '../../../src/ui/assets.ts'
import { recordBaseline } from '../../../src/ui/routes-config.ts'
import { TEMPLATES, renderTemplate, mergeConfig } from '../../../src/ui/templates.ts'
import { loadConfigSources } from '../../../src/config/load.ts'
import { startPlane, hit, type Plane } from './harness.ts'

let plane: Plane
let control: ControlClient
let stopControl: () => void
let store: Store
let live: Live
let app: FastifyInstance
let setup: SetupToken
let cookie = ''
let csrf = ''

before(async () => {
  plane = await startPlane()
  const pair = controlPair({ engine: plane.engine, configPath: plane.configPath, reload: () => plane.reload(), logFlushMs: 50 })
  control = pair.client; stopControl = pair.stop
  store = Store.open(':memory:', { flushMs: 50 })
  live = new Live(control, store)
  setup = new SetupToken(true)
  await recordBaseline(control, store)
  app = await buildUi({ control, store, live, assets: await loadAssets(), setup, address: 'test', limiter: new LoginLimiter(3, 60_000) })
})

after(async () => {
  await app.close()
  live.stop()
  store.close()
  stopControl()
  await plane.close()
})

const json = (r: LightMyRequestResponse): Record<string, unknown> => r.json() as Record<string, unknown>
const send = (method: 'GET' | 'POST', url: string, payload?: unknown, withCsrf = true): Promise<LightMyRequestResponse> =>
  app.inject({ method, url, payload: payload as Record<string, unknown> | undefined, headers: { cookie, ...(withCsrf ? { 'x-csrf-token': csrf } : {}) } })

test('first start: no default credentials, setup needs the console token', async () => {
  assert.deepEqual(json(await app.inject({ url: '/api/auth/state' })), { setupRequired: true, user: null, csrf: null })
  assert.equal((await app.inject({ url: '/api/status' })).statusCode, 401)
  const wrong = await app.inject({ method: 'POST', url: '/api/auth/setup', payload: { token: 'nope', password: 'secret-pass' } })
  assert.equal(wrong.statusCode, 403)
  const short = await app.inject({ method: 'POST', url: '/api/auth/setup', payload: { token: setup.value, password: 'short' } })
  assert.equal(short.statusCode, 400)
  const ok = await app.inject({ method: 'POST', url: '/api/auth/setup', payload: { token: setup.value, password: 'secret-pass' } })
  assert.equal(ok.statusCode, 200)
  const setCookie = String(ok.headers['set-cookie'])
  assert.match(setCookie, /plb_session=[\w-]+; Path=\/; HttpOnly; SameSite=Strict/)
  cookie = setCookie.split(';')[0]
  csrf = json(ok).csrf as string
  assert.equal(setup.value, null)
  const again = await app.inject({ method: 'POST', url: '/api/auth/setup', payload: { token: 'x', password: 'another-pass' } })
  assert.equal(again.statusCode, 409)
})

test('changes need the CSRF token; reads need the session', async () => {
  assert.equal((await send('GET', '/api/status')).statusCode, 200)
  const noCsrf = await send('POST', '/api/config/validate', { text: 'global\n' }, false)
  assert.equal(noCsrf.statusCode, 403)
  const badCsrf = await app.inject({ method: 'POST', url: '/api/config/validate', payload: { text: 'global\n' }, headers: { cookie, 'x-csrf-token': 'forged' } })
  assert.equal(badCsrf.statusCode, 403)
  assert.equal((await send('POST', '/api/config/validate', { text: 'global\n' })).statusCode, 200)
})

test('login is rate limited per client address', async () => {
  for (let i = 0; i < 3; i++) {
    const r = await app.inject({ method: 'POST', url: '/api/auth/login', payload: { user: 'admin', password: 'wrong-pass' }, remoteAddress: '10.9.9.9' })
    assert.equal(r.statusCode, 401)
  }
  const blocked = await app.inject({ method: 'POST', url: '/api/auth/login', payload: { user: 'admin', password: 'secret-pass' }, remoteAddress: '10.9.9.9' })
  assert.equal(blocked.statusCode, 429)
  const other = await app.inject({ method: 'POST', url: '/api/auth/login', payload: { user: 'admin', password: 'secret-pass' }, remoteAddress: '10.9.9.8' })
  assert.equal(other.statusCode, 200)
})

test('status and services reflect real traffic; drain moves it', async () => {
  await live.sample()
  for (let i = 0; i < 10; i++) assert.equal((await hit(plane.frontPort, '/x')).status, 200)
  await live.sample()
  const st = json(await send('GET', '/api/status'))
  assert.ok((st.totalReqs as number) >= 10)
  assert.equal(st.vrrp, null)
  const rates = st.rates as { reqRate: number }[]
  assert.ok(rates[rates.length - 1].reqRate > 0)
  const drain = await send('POST', '/api/servers/farm/s1', { state: 'drain' })
  assert.equal(drain.statusCode, 200, drain.body)
  const seen = new Set<string>()
  for (let i = 0; i < 6; i++) seen.add((await hit(plane.frontPort, '/y')).server)
  assert.deepEqual([...seen], ['s2'])
  const svc = json(await send('GET', '/api/services')) as { backends: { name: string; servers: { name: string; status: string }[] }[] }
  assert.equal(svc.backends.find(b => b.name === 'farm')!.servers[0].status, 'DRAIN')
  assert.equal((await send('POST', '/api/servers/farm/s1', { state: 'ready' })).statusCode, 200)
  const bad = await send('POST', '/api/servers/farm/nosuch', { state: 'maint' })
  assert.equal(bad.statusCode, 400)
  assert.match(String(json(bad).error), /No such server/i)
})

test('explain names the rules, the backend and the server', async () => {
  const api = json(await send('POST', '/api/explain', { url: '/api/users', headers: [['Host', 'x']] })) as { verdict: string; backend: string; server: string; steps: { rule: string; matched: boolean }[] }
  assert.equal(api.verdict, 'forwarded')
  assert.equal(api.backend, 'api')
  assert.ok(api.server === 'a1' || api.server === 'a2')
  assert.ok(api.steps.some(s => s.rule.includes('use_backend') && s.matched))
  const again = json(await send('POST', '/api/explain', { url: '/api/users' })) as { server: string }
  assert.equal(again.server, api.server, 'balance uri: same URI, same server')
  const denied = json(await send('POST', '/api/explain', { url: '/admin/x' })) as { verdict: string; backend: null }
  assert.equal(denied.verdict, 'deny 403')
  const farm = json(await send('POST', '/api/explain', { url: '/' })) as { backend: string }
  assert.equal(farm.backend, 'farm')
})

test('a config error is pinned to its line and the running config stays', async () => {
  const broken = plane.config.replace('  default_backend farm', '  default_backend farm\n  bogus_keyword 1')
  const line = broken.split('\n').indexOf('  bogus_keyword 1') + 1
  const v = json(await send('POST', '/api/config/validate', { text: broken })) as { ok: boolean; markers: { line: number; severity: string }[] }
  assert.equal(v.ok, false)
  assert.deepEqual(v.markers.map(m => [m.line, m.severity]), [[line, 'error']])
  const a = json(await send('POST', '/api/config/apply', { text: broken, comment: 'broken' })) as { applied: boolean; version: number }
  assert.equal(a.applied, false)
  assert.equal(readFileSync(plane.configPath, 'utf8'), plane.config)
  assert.equal((await hit(plane.frontPort, '/')).status, 200)
  const ver = json(await send('GET', `/api/config/versions/${a.version}`))
  assert.equal(ver.valid, false)
  assert.equal(ver.applied, false)
})

test('apply, versions and rollback', async () => {
  const next = plane.config.replace('  http-request deny if { path_beg /admin }', '  http-request deny if { path_beg /private }')
  const a = json(await send('POST', '/api/config/apply', { text: next, comment: 'move deny' })) as { applied: boolean; version: number }
  assert.equal(a.applied, true)
  assert.equal(readFileSync(plane.configPath, 'utf8'), next)
  assert.equal((await hit(plane.frontPort, '/private')).status, 403)
  assert.equal((await hit(plane.frontPort, '/admin')).status, 200)
  const versions = json(await send('GET', '/api/config/versions')) as unknown as { id: number; comment: string; applied: boolean }[]
  const baseline = versions.find(v => v.comment === 'running at start')!
  const rb = json(await send('POST', `/api/config/rollback/${baseline.id}`)) as { applied: boolean }
  assert.equal(rb.applied, true)
  assert.equal(readFileSync(plane.configPath, 'utf8'), plane.config)
  assert.equal((await hit(plane.frontPort, '/admin')).status, 403)
})

test('every template renders to a valid config once merged', () => {
  for (const t of TEMPLATES) {
    const { text, lines } = renderTemplate(t, {})
    assert.ok(lines.some(l => l.reason !== ''), `${t.id} explains itself`)
    const merged = mergeConfig(plane.config, t.id === 'host-map' ? text.replace('/etc/pocketlb/hosts.map', plane.configPath) : text)
    const r = loadConfigSources([{ path: 'merged.cfg', text: merged }])
    assert.ok(r.ok, `${t.id}: ${r.ok ? '' : r.alerts.join('\n')}`)
  }
})

test('live log stream receives entries; log ring stores them', async () => {
  const got: string[] = []
  const unsub = live.subscribe(es => { for (const e of es) got.push(e.request) })
  await hit(plane.frontPort, '/logged-request')
  for (let i = 0; i < 40 && !got.some(r => r.includes('/logged-request')); i++) await new Promise(r => setTimeout(r, 25))
  unsub()
  assert.ok(got.some(r => r === 'GET /logged-request HTTP/1.1'), JSON.stringify(got))
  store.batch.flush()
  const ring = json(await send('GET', '/api/logs/recent?limit=50')) as unknown as { line: string }[]
  assert.ok(ring.some(l => l.line.includes('/logged-request')))
})

test('OpenAPI document lists the routes; assets are gzip with caching headers', async () => {
  const doc = json(await app.inject({ url: '/api/openapi.json' })) as { openapi: string; paths: Record<string, Record<string, { requestBody?: unknown }>> }
  assert.equal(doc.openapi, '3.0.3')
  assert.ok(doc.paths['/api/config/apply'].post.requestBody !== undefined)
  assert.ok(doc.paths['/api/servers/{backend}/{server}'] !== undefined)
  const index = await app.inject({ url: '/', headers: { 'accept-encoding': 'gzip' } })
  assert.equal(index.headers['content-encoding'], 'gzip')
  assert.equal(index.headers['cache-control'], 'no-cache')
  const js = /assets\/(app\.\w+\.js)/.exec((await app.inject({ url: '/' })).body)![1]
  const asset = await app.inject({ url: `/assets/${js}`, headers: { 'accept-encoding': 'gzip' } })
  assert.equal(asset.headers['cache-control'], 'public, max-age=31536000, immutable')
  assert.ok(asset.rawPayload.length < 200 * 1024)
  const etag = String(asset.headers.etag)
  assert.equal((await app.inject({ url: `/assets/${js}`, headers: { 'if-none-match': etag } })).statusCode, 304)
})
