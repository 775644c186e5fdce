// The device side of the API with fastify's inject over a real engine: power
// (supplies read from a sysfs-shaped directory the test writes), the tuning
// profile's limits, VRRP/L4 when not configured, reboot (409 off the appliance,
// CSRF), ports and addresses, and the OpenAPI document covering every route.
import { test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { join } from 'node:path'
import type { FastifyInstance, LightMyRequestResponse } from 'fastify'
import { controlPair, type ControlClient } from '../../../src/runtime/control.ts'
import { Store } from '../../../src/store/store.ts'
import { Live } from '../../../src/ui/live.ts'
import { buildUi } from '../../../src/ui/server.ts'
import { SetupToken } from '../../../src/ui/auth.ts'
import { loadAssets } from '../../../src/ui/assets.ts'
import { computeLimits } from '../../../src/tuning/limits.ts'
import { startPlane, powerSupply, BOARD_INPUTS as inputs, type Plane } from './harness.ts'

const limits = computeLimits('pocket', inputs)

let plane: Plane
let control: ControlClient
let stopControl: () => void
let store: Store
let live: Live
let setup: SetupToken
/** one UI per situation: a PC (no appliance, no power supply listed) and the appliance (battery) */
let pc: FastifyInstance
let device: FastifyInstance
let reboots = 0
let supplies = ''
const sessions = new Map<FastifyInstance, { cookie: string; csrf: string }>()

const supply = (name: string, attrs: Record<string, string>): void => powerSupply(supplies, name, attrs)

before(async () => {
  plane = await startPlane()
  supplies = join(plane.dir, 'power_supply')
  supply('BAT0', { type: 'Battery', present: '1', capacity: '76', status: 'Discharging' })
  supply('usb', { type: 'USB', online: '0' })
  const pair = controlPair({ engine: plane.engine, configPath: plane.configPath, reload: () => plane.reload(), tuning: limits, tuningInputs: inputs })
  control = pair.client; stopControl = pair.stop
  store = Store.open(':memory:', { flushMs: 50 })
  live = new Live(control, store)
  setup = new SetupToken(true)
  const assets = await loadAssets()
  pc = await buildUi({ control, store, live, assets, setup, address: 'test', powerRoot: join(plane.dir, 'no-such-dir') })
  device = await buildUi({ control, store, live, assets, setup, address: 'test', powerRoot: supplies, appliance: { reboot: () => { reboots++ } } })
  const r = await pc.inject({ method: 'POST', url: '/api/auth/setup', payload: { token: setup.value, password: 'secret-pass' } })
  assert.equal(r.statusCode, 200)
  for (const app of [pc, device]) {
    const login = await app.inject({ method: 'POST', url: '/api/auth/login', payload: { user: 'admin', password: 'secret-pass' } })
    sessions.set(app, { cookie: String(login.headers['set-cookie']).split(';')[0]!, csrf: (login.json() as { csrf: string }).csrf })
  }
})

after(async () => {
  await pc.close(); await device.close()
  live.stop()
  store.close()
  stopControl()
  await plane.close()
})

const send = (app: FastifyInstance, method: 'GET' | 'POST', url: string, payload?: Record<string, unknown>, withCsrf = true): Promise<LightMyRequestResponse> => {
  const s = sessions.get(app)!
  return app.inject({ method, url, payload, headers: { cookie: s.cookie, ...(withCsrf ? { 'x-csrf-token': s.csrf } : {}) } })
}
const body = <T>(r: LightMyRequestResponse): T => r.json() as T

test('power: the battery and its level when the supplies list one; the tuning profile\'s source otherwise', async () => {
  type Power = { source: string; batteryPercent: number | null; batteryStatus: string | null; from: string; board: string | null }
  const onDevice = body<{ power: Power }>(await send(device, 'GET', '/api/status')).power
  assert.deepEqual(onDevice, { source: 'battery', batteryPercent: 76, batteryStatus: 'Discharging', from: 'live', board: 'test-board' })
  supply('usb', { type: 'USB', online: '1' })
  assert.equal(body<{ power: Power }>(await send(device, 'GET', '/api/status')).power.source, 'usb', 'USB plugged in: fed by USB, battery kept listed')
  supply('ac', { type: 'Mains', online: '1' })
  assert.equal(body<{ power: Power }>(await send(device, 'GET', '/api/status')).power.source, 'mains')
  const onPc = body<{ power: Power }>(await send(pc, 'GET', '/api/status')).power
  assert.deepEqual(onPc, { source: 'usb', batteryPercent: null, batteryStatus: null, from: 'start', board: 'test-board' })
})

test('the tuning profile and its limits are on the dashboard status', async () => {
  const t = body<{ tuning: Record<string, unknown> }>(await send(pc, 'GET', '/api/status')).tuning
  assert.equal(t.profile, 'pocket')
  assert.equal(t.maxconn, limits.maxconn)
  assert.equal(t.bufsize, limits.bufsize)
  assert.equal(t.heapMiB, limits.heapMiB)
  assert.equal(t.ramMiB, 512)
  assert.deepEqual(t.reasons, limits.reasons)
})

test('VRRP and L4 not configured: the views say so, the demo switch answers 409', async () => {
  const off = { configured: false, simulatedFailure: false, simulatedFailureKept: { on: false, since: 0 }, instances: [], transitions: [] }
  assert.deepEqual(body(await send(pc, 'GET', '/api/vrrp')), off)
  assert.equal((await send(pc, 'POST', '/api/vrrp/simulate-failure', { on: true }, false)).statusCode, 403)
  const sim = await send(pc, 'POST', '/api/vrrp/simulate-failure', { on: true })
  assert.equal(sim.statusCode, 409)
  assert.match(body<{ error: string }>(sim).error, /VRRP is not running \(start pocketlb with --vrrp/)
  assert.equal((await send(pc, 'POST', '/api/vrrp/simulate-failure', { on: 'yes' })).statusCode, 400)
  assert.deepEqual(body(await send(pc, 'GET', '/api/vrrp')), off, 'a refused switch is not kept')
  assert.deepEqual(body(await send(pc, 'GET', '/api/l4')), { configured: false, services: [] })
  assert.equal(await control.command('set vrrp simulate-failure maybe'), "'set vrrp simulate-failure' expects 'on' or 'off'.\n\n")
})

test('reboot: 409 with the reason off the appliance, CSRF needed, done once on the appliance', async () => {
  const off = await send(pc, 'POST', '/api/system/reboot')
  assert.equal(off.statusCode, 409)
  assert.match(body<{ error: string }>(off).error, /only available on the appliance \(its init sets PLB_APPLIANCE=1\)/)
  assert.equal((await send(device, 'POST', '/api/system/reboot', {}, false)).statusCode, 403)
  assert.equal(reboots, 0)
  const on = await send(device, 'POST', '/api/system/reboot')
  assert.equal(on.statusCode, 200)
  assert.equal(reboots, 1)
  assert.ok(store.events.recentAudit(5).some(e => e.action === 'reboot'))
  assert.equal(body<{ appliance: boolean }>(await send(pc, 'GET', '/api/system')).appliance, false)
  assert.equal(body<{ appliance: boolean }>(await send(device, 'GET', '/api/system')).appliance, true)
})

test('system: ports and addresses of the machine, uptimes, listeners', async () => {
  const s = body<{ interfaces: { name: string; addresses: string[] }[]; systemUptimeMs: number; uptimeMs: number; listeners: { port: number }[] }>(await send(pc, 'GET', '/api/system'))
  const lo = s.interfaces.find(i => i.name === 'lo')
  assert.ok(lo !== undefined && lo.addresses.includes('127.0.0.1/8'), JSON.stringify(s.interfaces))
  assert.ok(s.systemUptimeMs > s.uptimeMs && s.uptimeMs >= 0)
  assert.ok(s.listeners.some(l => l.port === plane.frontPort))
})

test('the OpenAPI document covers every /api route; all assets ≤ 200 KB gzipped', async () => {
  const doc = body<{ paths: Record<string, Record<string, unknown>> }>(await pc.inject({ url: '/api/openapi.json' }))
  // fastify's own route table (a tree: each line adds its segment to its parents'), HEAD twins left out
  const routes: (readonly [string, string])[] = []
  const stack: string[] = []
  for (const line of pc.printRoutes({ commonPrefix: false }).split('\n')) {
    const m = /^([│ ]*)[├└]── (\S+)(?: \(([A-Z, ]+)\))?$/.exec(line)
    if (m === null) continue
    stack.length = m[1]!.length / 4
    stack.push(m[2]!)
    const path = stack.join('')
    for (const method of m[3]?.split(', ') ?? []) if (method !== 'HEAD' && path.startsWith('/api/')) routes.push([method, path])
  }
  assert.ok(routes.length > 25, routes.join('\n'))
  for (const [method, path] of routes) {
    if (path === '/api/openapi.json') continue
    const documented = doc.paths[path.replace(/:(\w+)/g, '{$1}')]?.[method.toLowerCase()]
    assert.ok(documented !== undefined, `${method} ${path} is not in the OpenAPI document`)
  }
  for (const p of ['/api/vrrp', '/api/l4', '/api/system/reboot', '/api/vrrp/simulate-failure']) assert.ok(doc.paths[p] !== undefined, p)
  const assets = await loadAssets()
  let gz = 0
  for (const a of assets.values()) gz += a.gzip.length
  assert.ok(gz <= 200 * 1024, `${gz} bytes gzipped`)
})
