import { test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { createServer, type Server, type Socket } from 'node:net'
import { startHaproxy, type RunningHaproxy } from '../../helpers/haproxy.ts'
import { startPocketlb } from '../../helpers/pocketlb.ts'
import { freePorts, rawExchange } from '../../helpers/net.ts'
import type { Engine } from '../../../src/proxy/engine.ts'

// The heads of a protocol upgrade as they leave the proxy, compared with HAProxy
// 2.6: the Connection field loses close/keep-alive and keeps its other tokens,
// the upgrade one where and as it was written ("Upgrade" stays "Upgrade"), in the
// request the server gets and in the 101 the client gets.

const closers: (() => Promise<void>)[] = []
after(async () => { for (const c of closers.reverse()) await c() })

const received: string[] = []
const port = { hap: 0, plb: 0 }

before(async () => {
  const conns = new Set<Socket>()
  const app: Server = createServer(s => {
    conns.add(s)
    s.on('close', () => conns.delete(s))
    s.on('error', () => {})
    s.once('data', d => {
      received.push(d.toString('latin1'))
      s.write('HTTP/1.1 101 Switching Protocols\r\nUpgrade: WebSocket\r\nConnection: keep-alive, Upgrade\r\n' +
        'Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n\r\n')
    })
  })
  await new Promise<void>(resolve => app.listen(0, '127.0.0.1', () => resolve()))
  closers.push(() => new Promise(resolve => { for (const s of conns) s.destroy(); app.close(() => resolve()) }))
  const appPort = (app.address() as { port: number }).port
  ;[port.hap, port.plb] = await freePorts(2)
  const cfg = (p: number): string => `
defaults
  mode http
  timeout connect 1s
  timeout client 2s
  timeout server 2s
listen l
  bind 127.0.0.1:${p}
  server s1 127.0.0.1:${appPort}
`
  const hap: RunningHaproxy = await startHaproxy(cfg(port.hap), port.hap)
  closers.push(() => hap.stop())
  const plb: Engine = await startPocketlb(cfg(port.plb))
  closers.push(() => plb.stop())
})

/** The head the server got, then the answer the client got. */
async function exchange (p: number, req: string): Promise<string> {
  const n = received.length
  const answer = await rawExchange(p, req, 300)
  return `${received[n] ?? '-'}\n${answer}`
}

const KEY = 'Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n'
for (const conn of ['keep-alive, Upgrade', 'UPGRADE, foo', 'Upgrade']) {
  test(`an upgrade with "Connection: ${conn}": heads as HAProxy's`, async () => {
    const req = `GET /ws HTTP/1.1\r\nHost: a\r\nConnection: ${conn}\r\nUpgrade: WebSocket\r\n${KEY}\r\n`
    const h = await exchange(port.hap, req)
    const p = await exchange(port.plb, req)
    assert.match(h, /\nHTTP\/1\.1 101 /)
    assert.equal(p, h)
  })
}
