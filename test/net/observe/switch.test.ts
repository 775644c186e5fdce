// Observe mode switched on and off under open connections (root only, namespaces
// of topology.ts): a keep-alive connection opened while observe is off stays
// bridged (answered, not recorded) after it goes on; one opened while on keeps
// being relayed and recorded after it goes off; only new connections follow the
// switch. Then IPv6: HTTP over the bridge to a ULA address is intercepted,
// relayed to its original IPv6 destination and recorded.
import { after, before, test } from 'node:test'
import assert from 'node:assert/strict'
import type { HttpExchange } from '../../../src/observe/types.ts'
import { sleep, until } from '../../helpers/wait.ts'
import { ObserveNet, SERVER6 } from './topology.ts'
import { runObserver, type ObserverRun } from './run-observer-client.ts'

const net = new ObserveNet('s')
let obs: ObserverRun

before(async () => {
  await net.build(true)
  obs = await runObserver(net, 64)
})

after(async () => { await net.close() })

const get = (path: string, host = 'app.test'): Buffer => Buffer.from(`GET ${path} HTTP/1.1\r\nHost: ${host}\r\n\r\n`)
const http = (): HttpExchange[] => obs.captures().filter((c): c is HttpExchange => c.kind === 'http')
/** The echo server numbers the requests of each connection */
const countOf = (res: Buffer): number => Number(/X-Request-Count: (\d+)/.exec(res.toString('latin1'))?.[1])

test('switching: open connections keep their path, only new ones follow the switch', async () => {
  const before = await net.session(80)
  assert.equal(countOf(await before.exchange(get('/before/1'))), 1)

  await obs.command('on', 'on')
  // the connection opened while off is still bridged end to end: same server connection, not recorded
  assert.equal(countOf(await before.exchange(get('/before/2'))), 2)
  const during = await net.session(80)
  assert.equal(countOf(await during.exchange(get('/during/1'))), 1)
  assert.ok(await until(() => http().some(x => x.path === '/during/1'), 3000), 'the new connection is recorded')

  await obs.command('off', 'off')
  // the intercepted connection lives on through its relay, still recorded
  assert.equal(countOf(await during.exchange(get('/during/2'))), 2)
  assert.equal(countOf(await before.exchange(get('/before/3'))), 3)
  assert.ok(await until(() => http().some(x => x.path === '/during/2'), 3000), 'the relayed connection is still recorded after off')
  assert.equal((await obs.command('relayed', 'relayed')).relayed, 1)
  const after = await net.session(80)
  assert.equal(countOf(await after.exchange(get('/after/1'))), 1)

  // on again: the connection opened while off stays bridged too
  await obs.command('on', 'on')
  assert.equal(countOf(await after.exchange(get('/after/2'))), 2)
  await sleep(200)
  assert.deepEqual(http().map(x => x.path), ['/during/1', '/during/2'])
  const [d1, d2] = http()
  assert.equal(d1!.client, d2!.client)
  for (const s of [before, during, after]) s.close()
  assert.ok(await until(() => http().length === 2, 1000))
  await obs.command('off', 'off')
})

test('IPv6: HTTP to a ULA address across the bridge is intercepted and recorded', async () => {
  const req = get('/v6?x=1', `[${SERVER6}]`)
  const off = await net.send('tcp', 80, Buffer.concat([req.subarray(0, req.length - 2), Buffer.from('Connection: close\r\n\r\n')]), SERVER6)
  await obs.command('on', 'on')
  const on = await net.send('tcp', 80, Buffer.concat([req.subarray(0, req.length - 2), Buffer.from('Connection: close\r\n\r\n')]), SERVER6)
  assert.deepEqual(on, off)
  assert.ok(await until(() => http().some(x => x.path === '/v6?x=1'), 3000), JSON.stringify(obs.captures()))
  const x = http().find(e => e.path === '/v6?x=1')!
  assert.equal(x.server, `[${SERVER6}]:80`)
  assert.match(x.client, /^\[fd88::1\]:\d+$/)
  assert.deepEqual([x.method, x.host, x.status, x.resSize], ['GET', `[${SERVER6}]`, 200, on.length])
  const har = (await obs.command(`har ${x.id}`, 'har')).har!
  assert.equal(har.log.entries[0]!.request.url, `http://[${SERVER6}]/v6?x=1`)
  assert.equal(har.log.entries[0]!.serverIPAddress, SERVER6)
  await obs.command('off', 'off')
})
