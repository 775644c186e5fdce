import { test, after } from 'node:test'
import assert from 'node:assert/strict'
import { startBackend, type Backend } from '../../helpers/backends.ts'
import { startHaproxy, type RunningHaproxy } from '../../helpers/haproxy.ts'
import { startPocketlb } from '../../helpers/pocketlb.ts'
import { startSyslog } from '../../helpers/syslog.ts'
import { freePorts, rawExchange, waitPort } from '../../helpers/net.ts'
import type { Engine } from '../../../src/proxy/engine.ts'

// The httplog lines our proxy writes for a set of requests, field by field
// against HAProxy's for the same requests (times, ports and dates aside).

const closers: (() => Promise<void>)[] = []
after(async () => { for (const c of closers.reverse()) await c() })

/** httplog fields after the syslog header, without client port, dates and timers. */
function fields (line: string): string[] {
  const msg = line.slice(line.indexOf(']: ') + 3)
  const f = msg.split(' ')
  // 0 ci:cp  1 [tr]  2 ft  3 b/s  4 TR/Tw/Tc/Tr/Ta  5 ST  6 B  7 CC  8 CS  9 tsc  10 ac/fc/bc/sc/rc  11 sq/bq  12.. captures + request
  const timers = f[4].split('/').map(t => (t === '-1' ? '-1' : 'n'))
  // %B (f[6]) is only compared when 0: HAProxy 2.6 counts its internal message
  // size, not the bytes on the wire (README, known differences)
  const bytes = f[6] === '0' ? '0' : 'n'
  return [f[0].split(':')[0], f[2], f[3], timers.join('/'), f[5], bytes, ...f.slice(7)]
}

test('httplog lines match HAProxy field by field', async () => {
  const be: Backend = await startBackend('s1', (req, res) => {
    if (req.url === '/missing') { res.writeHead(404, { 'content-length': '4' }); res.end('nope'); return true }
    return false
  })
  closers.push(() => be.close())
  const [hp, pp] = await freePorts(2)
  const hlog = await startSyslog(); closers.push(hlog.close)
  const plog = await startSyslog(); closers.push(plog.close)
  const cfg = (port: number, logPort: number): string => `
defaults
  mode http
  log 127.0.0.1:${logPort} local0
  option httplog
  timeout connect 1s
  timeout client 3s
  timeout server 3s
frontend f
  bind 127.0.0.1:${port}
  capture request header Host len 16
  capture request header User-Agent len 8
  use_backend empty if { path_beg /none }
  default_backend b
backend b
  server s1 127.0.0.1:${be.port}
backend empty
`
  const hap: RunningHaproxy = await startHaproxy(cfg(hp, hlog.port), hp)
  closers.push(() => hap.stop())
  const plb: Engine = await startPocketlb(cfg(pp, plog.port))
  closers.push(() => plb.stop())
  // startHaproxy probed its port with an empty connection (logged "CR"); do the same here
  await waitPort(pp)
  const requests = [
    'GET /ok?x=1 HTTP/1.1\r\nHost: www.example.com\r\nUser-Agent: curl/8.0.0-long\r\nConnection: close\r\n\r\n',
    'GET /missing HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n',
    'GET /none HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n',
    'POST /form HTTP/1.0\r\nContent-Length: 3\r\n\r\nabc',
    'BAD\r\n\r\n'
  ]
  for (const r of requests) {
    await rawExchange(hp, r, 800)
    await rawExchange(pp, r, 800)
  }
  // only traffic lines ("<ip>:<port> [date] ..."); HAProxy also logs "Proxy x started." at start
  const traffic = (lines: string[]): string[] => lines.filter(l => /\]: [\d.]+:\d+ \[/.test(l))
  const end = Date.now() + 3000
  while ((traffic(hlog.lines).length <= requests.length || traffic(plog.lines).length <= requests.length) && Date.now() < end) await new Promise(r => setTimeout(r, 50))
  const h = traffic(hlog.lines)
  const p = traffic(plog.lines)
  assert.equal(h.length, requests.length + 1, 'haproxy log lines:\n' + h.join('\n'))
  assert.equal(p.length, requests.length + 1, 'pocketlb log lines:\n' + p.join('\n'))
  for (let i = 0; i <= requests.length; i++) {
    assert.deepEqual(fields(p[i]), fields(h[i]), `request ${i}:\n haproxy : ${h[i]}\n pocketlb: ${p[i]}`)
  }
})
