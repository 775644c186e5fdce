import { test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { startBackend, type Backend } from '../../helpers/backends.ts'
import { rawExchange } from '../../helpers/net.ts'
import { until } from '../../helpers/wait.ts'
import { logMessages, startSideBySide, type SideBySide } from './side-by-side.ts'

// Captures and set-timeout beside HAProxy 2.6 with the same config:
// `declare capture`, `http-request|response capture … len|id` (from the
// frontend and from a backend), capture.req.hdr / capture.res.hdr, `capture
// cookie` (%CC %CS), all compared in the httplog-style line; and
// `http-request set-timeout server` turning a slow answer into the same 504.

let srv: Backend
let sides: SideBySide

function config (port: number, logPort: number): string {
  return `
defaults
  mode http
  log 127.0.0.1:${logPort} local0
  timeout connect 1s
  timeout client 5s
  timeout server 5s
frontend fe
  bind 127.0.0.1:${port}
  log-format "%ft %b %s %ts %ST %hr %hs %CC %CS %r"
  capture request header Host len 10
  declare capture request len 8
  declare capture response len 4
  capture cookie SID len 12
  http-request capture req.hdr(x-a) id 1
  http-request capture req.hdr(x-b),upper len 3
  http-response capture res.hdr(x-r) id 0
  http-request return status 200 content-type text/plain lf-string "host=%[capture.req.hdr(0)] a=%[capture.req.hdr(1)] b=%[capture.req.hdr(2)] line=%[capture.req.method] %[capture.req.uri] %[capture.req.ver]" if { path /show }
  http-response set-header x-cap "%[capture.req.hdr(2)]/%[capture.res.hdr(0)]/%[capture.res.ver]"
  default_backend be
backend be
  http-request capture req.hdr(x-c) id 1 if { req.hdr(x-c) -m found }
  http-request set-timeout server 300ms if { path /slow }
  http-request set-timeout server int(200) if { path /slow-expr }
  server s1 127.0.0.1:${srv.port}
`
}

before(async () => {
  srv = await startBackend('s1', (req, res) => {
    const u = new URL(req.url ?? '/', 'http://x')
    const h: Record<string, string> = { 'content-type': 'text/plain' }
    for (const [k, v] of u.searchParams) h[k] = v
    const answer = (): void => { res.writeHead(200, { ...h, 'content-length': '3' }); res.end('ok\n') }
    if (u.pathname.startsWith('/slow')) setTimeout(answer, 800); else answer()
    return true
  })
  sides = await startSideBySide(1, (ports, logPort) => config(ports[0], logPort))
})

after(async () => {
  await sides?.stop()
  await srv?.close()
})

async function exchange (port: number, path: string, headers: string[]): Promise<string> {
  const r = await rawExchange(port, `GET ${path} HTTP/1.1\r\nHost: www.example.com\r\n${headers.map(h => h + '\r\n').join('')}Connection: close\r\n\r\n`, 2500)
  return r.split('\r\n').filter(l => !/^date:/i.test(l)).join('\r\n')
}

async function both (path: string, headers: string[] = []): Promise<string> {
  const h = await exchange(sides.hapPorts[0], path, headers)
  assert.equal(await exchange(sides.plbPorts[0], path, headers), h, `${path} ${headers.join(' ')}`)
  return h
}

const SENT: [string, string[]][] = [
  ['/show', ['X-A: first-value-long', 'X-B: bee', 'Cookie: SID=answered-here']],
  ['/?x-r=respval&set-cookie=SIDX%3Dabcdefghijklmnop%3B%20path%3D%2F', ['X-A: a1', 'Cookie: other=1; SID=s3cr3t-and-more']],
  ['/', ['X-C: from-backend', 'X-A: overwritten']],
  ['/', []]
]

test('capture slots: declared, by len, by id from the frontend and the backend, read back by capture.req/res.hdr', async () => {
  assert.match(await both(...SENT[0]), /host=www.exampl a=first-va b=BEE line=GET \/show HTTP\/1.1$/)
  assert.match(await both(...SENT[1]), /x-cap: \/resp\/HTTP\/1.1/)
  await both(...SENT[2])
  await both(...SENT[3])
})

test('set-timeout server (a time or an expression) gives the same 504 on a slow server', async () => {
  assert.match(await both('/slow'), /^HTTP\/1\.1 504 /)
  assert.match(await both('/slow-expr'), /^HTTP\/1\.1 504 /)
})

test('the log lines carry the same %hr %hs %CC %CS as HAProxy', async () => {
  const hap = (): string[] => logMessages(sides.hapLog, /<BADREQ>/)
  const plb = (): string[] => logMessages(sides.plbLog, /<BADREQ>/)
  const wanted = SENT.length + 2
  assert.ok(await until(() => hap().length >= wanted && plb().length >= wanted, 3000), `${hap().length} / ${plb().length} log lines`)
  assert.ok(hap().some(l => l.includes('SID=s3cr3t-a SIDX=abcdefg')), hap().join(''))
  // each proxy logs a stream when it ends, which under load may come after the next one: compare as sets
  assert.deepEqual(plb().sort(), hap().sort())
})
