import { test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { createServer, type Server } from 'node:net'
import { startBackend, type Backend } from '../../helpers/backends.ts'
import { startHaproxy, type RunningHaproxy } from '../../helpers/haproxy.ts'
import { startPocketlb } from '../../helpers/pocketlb.ts'
import { freePorts, rawExchange } from '../../helpers/net.ts'
import type { Engine } from '../../../src/proxy/engine.ts'

// tcp-request connection/content rules compared with HAProxy 2.6 on the same
// config: which connections are refused (closed with no answer) and which reach
// the server, in TCP and HTTP mode.

let tcpSrv: Server
let tcpPort = 0
let web: Backend
let hap: RunningHaproxy
let plb: Engine
const SITES = ['connrate', 'payload', 'httpcontent'] as const
const hapPorts: number[] = []
const plbPorts: number[] = []

function config (ports: number[]): string {
  return `
defaults
  timeout connect 1s
  timeout client 5s
  timeout server 5s
listen connrate
  mode tcp
  bind 127.0.0.1:${ports[0]}
  stick-table type ip size 10 expire 30s store conn_rate(10s),conn_cnt
  tcp-request connection track-sc0 src
  tcp-request connection reject if { sc_conn_rate(0) gt 2 }
  server t1 127.0.0.1:${tcpPort}
listen payload
  mode tcp
  bind 127.0.0.1:${ports[1]}
  tcp-request inspect-delay 2s
  tcp-request content reject if { req.payload(0,4) -m str EVIL }
  tcp-request content accept if { req.len gt 0 }
  server t1 127.0.0.1:${tcpPort}
listen httpcontent
  mode http
  bind 127.0.0.1:${ports[2]}
  tcp-request content reject if { req.hdr(x-block) -m found }
  tcp-request content set-var(txn.who) req.hdr(x-who)
  http-request return status 200 content-type text/plain lf-string "who=%[var(txn.who)]" if { var(txn.who) -m found }
  server w1 127.0.0.1:${web.port}
`
}

before(async () => {
  // a TCP server that answers "hello:<what it got>" and closes
  tcpSrv = createServer(s => { s.once('data', d => s.end('hello:' + d.toString())); s.on('error', () => {}) })
  await new Promise<void>(r => tcpSrv.listen(0, '127.0.0.1', () => r()))
  tcpPort = (tcpSrv.address() as { port: number }).port
  web = await startBackend('w1')
  const ports = await freePorts(SITES.length * 2)
  hapPorts.push(...ports.slice(0, SITES.length))
  plbPorts.push(...ports.slice(SITES.length))
  // WHY the last site: the start probe is a connection, which connrate would count
  hap = await startHaproxy(config(hapPorts), hapPorts[2])
  plb = await startPocketlb(config(plbPorts))
})

after(async () => {
  await hap?.stop()
  await plb?.stop()
  await web?.close()
  await new Promise<void>(r => tcpSrv.close(() => r()))
})

const port = (ports: number[], s: typeof SITES[number]): number => ports[SITES.indexOf(s)]

test('tcp-request connection track-sc0 src + reject over a connection rate of 2', async () => {
  const run = async (ports: number[]): Promise<string[]> => {
    const out: string[] = []
    for (let i = 0; i < 4; i++) out.push(await rawExchange(port(ports, 'connrate'), `c${i}`, 1000))
    return out
  }
  const h = await run(hapPorts)
  assert.deepEqual(h, ['hello:c0', 'hello:c1', '', ''])
  assert.deepEqual(await run(plbPorts), h)
})

test('tcp-request inspect-delay + content rules on req.payload and req.len', async () => {
  for (const data of ['EVIL data', 'GOOD data']) {
    const h = await rawExchange(port(hapPorts, 'payload'), data, 1000)
    const p = await rawExchange(port(plbPorts, 'payload'), data, 1000)
    assert.equal(p, h, data)
  }
  assert.equal(await rawExchange(port(plbPorts, 'payload'), 'GOOD', 1000), 'hello:GOOD')
})

test('HTTP mode: tcp-request content rules run before http-request rules, with HTTP fetches', async () => {
  const ask = (ports: number[], extra: string): Promise<string> =>
    rawExchange(port(ports, 'httpcontent'), `GET / HTTP/1.1\r\nHost: x\r\n${extra}Connection: close\r\n\r\n`, 1000)
  const body = (r: string): string => r === '' ? '(closed)' : r.split('\r\n')[0] + ' ' + r.split('\r\n\r\n')[1]
  for (const extra of ['X-Block: 1\r\n', 'X-Who: bob\r\n', '']) {
    const h = body(await ask(hapPorts, extra))
    assert.equal(body(await ask(plbPorts, extra)), h, extra)
  }
  assert.equal(body(await ask(plbPorts, 'X-Block: 1\r\n')), '(closed)')
})
