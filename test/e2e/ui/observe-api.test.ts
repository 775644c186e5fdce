import { test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import type { FastifyInstance } from 'fastify'
import { controlPair } from '../../../src/runtime/control.ts'
import { Store } from '../../../src/store/store.ts'
import { Live } from '../../../src/ui/live.ts'
import { buildUi } from '../../../src/ui/server.ts'
import { SetupToken } from '../../../src/ui/auth.ts'
import { loadAssets } from '../../../src/ui/assets.ts'
import { startPlane, type Plane } from './harness.ts'

// The observe API of a pocketlb started without --observe: it says so, refuses the
// switch and the HAR with 409, lists nothing, and still needs a session. (With
// --observe, in namespaces: test/net/observe/cli.test.ts.)
let plane: Plane
let stopControl: () => void
let store: Store
let live: Live
let app: FastifyInstance
let headers: Record<string, string> = {}

before(async () => {
  plane = await startPlane()
  const pair = controlPair({ engine: plane.engine, configPath: plane.configPath, reload: () => plane.reload() })
  stopControl = pair.stop
  store = Store.open(':memory:')
  live = new Live(pair.client, store)
  const setup = new SetupToken(true)
  app = await buildUi({ control: pair.client, store, live, assets: await loadAssets(), setup, address: 'test' })
  const r = await app.inject({ method: 'POST', url: '/api/auth/setup', payload: { token: setup.value, password: 'secret-pass' } })
  headers = { cookie: String(r.headers['set-cookie']).split(';')[0]!, 'x-csrf-token': (r.json() as { csrf: string }).csrf }
})

// the Live sampler was never started: nothing of it to stop
after(async () => { await app.close(); store.close(); stopControl(); await plane.close() })

test('observe API without --observe: not available, switch and HAR refused, nothing listed', async () => {
  assert.equal((await app.inject({ url: '/api/observe' })).statusCode, 401)
  const state = await app.inject({ url: '/api/observe', headers })
  assert.deepEqual(state.json(), { available: false, on: false, httpPorts: [], tlsPorts: [], maxBody: 0, capacity: 0, relayed: 0 })
  const on = await app.inject({ method: 'POST', url: '/api/observe', payload: { on: true }, headers })
  assert.equal(on.statusCode, 409)
  assert.match((on.json() as { error: string }).error, /start pocketlb with --observe/)
  assert.equal((await app.inject({ method: 'POST', url: '/api/observe', payload: { on: 'yes' }, headers })).statusCode, 400)
  assert.deepEqual((await app.inject({ url: '/api/observe/exchanges?status=4xx&kind=http', headers })).json(), [])
  assert.equal((await app.inject({ url: '/api/observe/exchanges?status=abc', headers })).statusCode, 400)
  assert.equal((await app.inject({ url: '/api/observe/exchanges/1', headers })).statusCode, 404)
  assert.equal((await app.inject({ url: '/api/observe/har', headers })).statusCode, 409)
})
