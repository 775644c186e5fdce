// Observe mode in namespaces (root only): pc ── [eth0 node br0 eth1] ── server.
// HTTP from the pc to the server is byte-for-byte the same with observe on and off
// and is recorded with the right fields; a TLS ClientHello to 443 passes and is
// listed with its SNI; UDP and ARP pass; HAR export; off again is a plain bridge.
import { after, before, test } from 'node:test'
import assert from 'node:assert/strict'
import { spawnSync } from 'node:child_process'
import type { HttpExchange, TlsFlow } from '../../../src/observe/types.ts'
import { sleep, until } from '../../helpers/wait.ts'
import { ObserveNet, SERVER, clientHello, sh } from './topology.ts'
import { runObserver, type ObserverRun } from './run-observer-client.ts'

const net = new ObserveNet('')
const NS = net.ns
const send = net.send.bind(net)
let obs: ObserverRun
const command = async (cmd: string, reply: string): Promise<void> => { await obs.command(cmd, reply) }
const captures = (): Array<HttpExchange | TlsFlow> => obs.captures()

before(async () => {
  await net.build(true)
  obs = await runObserver(net, 16)
})

after(async () => { await net.close() })

const REQ_A = Buffer.from('GET /hello?x=1 HTTP/1.1\r\nHost: app.test\r\nUser-Agent: plb-test\r\nConnection: close\r\n\r\n')
const BODY = 'name=pocketlb&board=two-ports&x=1234'
const REQ_B = Buffer.from('GET /one HTTP/1.1\r\nHost: app.test\r\n\r\n' +
  `POST /form HTTP/1.1\r\nHost: app.test\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: ${BODY.length}\r\n\r\n${BODY}`)

test('observe: HTTP unchanged and recorded, TLS listed by SNI, UDP and ARP pass', async () => {
  const offA = await send('tcp', 80, REQ_A)
  const offB = await send('tcp', 80, REQ_B)
  assert.match(offA.toString('latin1'), /^HTTP\/1\.1 200 OK\r\n[^]*GET \/hello\?x=1/)
  assert.equal((offB.toString('latin1').match(/HTTP\/1\.1 200 OK/g) ?? []).length, 2)

  await command('on', 'on')
  const onA = await send('tcp', 80, REQ_A)
  const onB = await send('tcp', 80, REQ_B)
  assert.deepEqual(onA, offA)
  assert.deepEqual(onB, offB)

  assert.ok(await until(() => captures().length >= 3, 3000), JSON.stringify(captures()))
  const [a, b1, b2] = captures() as HttpExchange[]
  assert.equal(a!.kind, 'http')
  assert.deepEqual([a!.method, a!.host, a!.path, a!.httpVersion, a!.status, a!.reason], ['GET', 'app.test', '/hello?x=1', 'HTTP/1.1', 200, 'OK'])
  assert.match(a!.client, /^10\.88\.0\.1:\d+$/)
  assert.equal(a!.server, `${SERVER}:80`)
  assert.deepEqual(a!.reqHeaders, [['Host', 'app.test'], ['User-Agent', 'plb-test'], ['Connection', 'close']])
  assert.deepEqual(a!.resHeaders.map(h => h[0]), ['Content-Type', 'X-Request-Count', 'Content-Length', 'Connection'])
  assert.equal(a!.reqSize, REQ_A.length)
  assert.equal(a!.reqBodySize, 0)
  assert.equal(a!.resBodySize, REQ_A.length)                   // the server echoes the request
  assert.equal(a!.resSize, onA.length)
  assert.equal(a!.resBody as unknown as string, REQ_A.subarray(0, 16).toString('latin1'))  // maxBody 16
  assert.ok(a!.timings.connect > 0 && a!.timings.firstByte >= 0 && a!.timings.total >= a!.timings.firstByte, JSON.stringify(a!.timings))
  assert.ok(Math.abs(a!.startedAt - Date.now()) < 30_000)
  assert.equal(a!.error, null)

  assert.deepEqual([b1!.method, b1!.path, b1!.status, b2!.method, b2!.path, b2!.status], ['GET', '/one', 200, 'POST', '/form', 200])
  assert.equal(b1!.client, b2!.client)                          // one keep-alive connection
  assert.equal(b2!.timings.connect, 0)
  assert.equal(b2!.reqBodySize, BODY.length)
  assert.equal(b2!.reqBody as unknown as string, BODY.slice(0, 16))
  assert.equal(b1!.resSize + b2!.resSize, onB.length)

  // TLS to 443: relayed untouched (the echo returns the exact ClientHello), listed with its SNI
  const hello = await clientHello('shop.example')
  assert.deepEqual(await send('tcp', 443, hello), hello)
  assert.ok(await until(() => captures().some(c => c.kind === 'tls'), 3000))
  const flow = captures().find(c => c.kind === 'tls') as TlsFlow
  assert.deepEqual([flow.sni, flow.server, flow.bytesUp, flow.bytesDown], ['shop.example', `${SERVER}:443`, hello.length, hello.length])

  // UDP and ARP are bridged as ever
  assert.equal((await send('udp', 7, Buffer.from('ping over udp'))).toString(), 'ping over udp')
  const srvMac = /link\/ether ([0-9a-f:]+)/.exec(sh('ip', '-n', NS.srv, 'link', 'show', 'eth0'))![1]
  const arp = spawnSync('ip', ['netns', 'exec', NS.pc, 'arping', '-c', '1', '-w', '2', '-i', 'eth0', SERVER], { encoding: 'utf8', timeout: 5000 })
  assert.match(arp.stdout, new RegExp(`from ${srvMac}`, 'i'))

  await command(`har ${a!.id} ${b2!.id}`, 'har')
  const har = obs.lastHar()
  assert.deepEqual(har.log.entries.map(e => [e.request.method, e.request.url, e.response.status]),
    [['GET', 'http://app.test/hello?x=1', 200], ['POST', 'http://app.test/form', 200]])

  // off again: a plain bridge, nothing more recorded
  await command('off', 'off')
  const before = captures().length
  assert.deepEqual(await send('tcp', 80, REQ_A), offA)
  await sleep(200)
  assert.equal(captures().length, before)
})
