import { test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { connect, type Socket } from 'node:net'
import { startBackend, type Backend } from '../../helpers/backends.ts'
import { startHaproxy, type RunningHaproxy } from '../../helpers/haproxy.ts'
import { startPocketlb } from '../../helpers/pocketlb.ts'
import { freePorts, rawExchange } from '../../helpers/net.ts'
import { sleep } from '../../helpers/wait.ts'
import type { Engine } from '../../../src/proxy/engine.ts'

// fe_conn([frontend]) and connslots([backend]) beside HAProxy 2.6: the same
// values while a known number of client connections are open, including a
// server in maintenance (not counted) and a backend whose server has no
// maxqueue (-1).

let srv: Backend
let hap: RunningHaproxy
let plb: Engine
let ports: number[] = []
const idle: Socket[] = []

function config (web: number, other: number): string {
  return `
defaults
  mode http
  timeout connect 1s
  timeout client 5s
  timeout server 5s
frontend web
  bind 127.0.0.1:${web}
  http-request return status 200 content-type text/plain lf-string "fe=%[fe_conn] other=%[fe_conn(other)] slots=%[connslots(app)] nomax=%[connslots(nomax)]" if { path /show }
  default_backend app
frontend other
  bind 127.0.0.1:${other}
  default_backend app
backend app
  server a 127.0.0.1:${srv.port} maxconn 10 maxqueue 5
  server b 127.0.0.1:${srv.port} maxconn 3 maxqueue 2
  server m 127.0.0.1:${srv.port} maxconn 100 maxqueue 100 disabled
backend nomax
  server a 127.0.0.1:${srv.port} maxconn 10
`
}

before(async () => {
  srv = await startBackend('s1')
  ports = await freePorts(4)
  hap = await startHaproxy(config(ports[0], ports[1]), ports[0])
  plb = await startPocketlb(config(ports[2], ports[3]))
})

after(async () => {
  for (const s of idle) s.destroy()
  await hap?.stop()
  await plb?.stop()
  await srv?.close()
})

async function open (port: number, n: number): Promise<void> {
  for (let i = 0; i < n; i++) {
    await new Promise<void>((resolve, reject) => { const s = connect(port, '127.0.0.1', () => resolve()); s.on('error', reject); idle.push(s) })
  }
}

const show = async (port: number): Promise<string> => (await rawExchange(port, 'GET /show HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n')).split('\r\n\r\n')[1]

test('fe_conn and connslots give the values HAProxy gives', async () => {
  await open(ports[0], 2); await open(ports[1], 3)
  await open(ports[2], 2); await open(ports[3], 3)
  await sleep(100)
  const h = await show(ports[0])
  assert.equal(h, 'fe=3 other=3 slots=20 nomax=-1')
  assert.equal(await show(ports[2]), h)
})
