import { test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { createServer as createHttpsServer, type Server as HttpsServer } from 'node:https'
import { createServer as createTlsServer, type Server as TlsServer } from 'node:tls'
import { startBackend, type Backend } from '../../helpers/backends.ts'
import { startHaproxy, type RunningHaproxy } from '../../helpers/haproxy.ts'
import { startPocketlb } from '../../helpers/pocketlb.ts'
import { freePorts, rawExchange } from '../../helpers/net.ts'
import type { Engine } from '../../../src/proxy/engine.ts'
import { makeTestCerts, type TestCerts } from './certs.ts'
import { tlsRequest, type TlsAnswer } from './client.ts'

// The same configuration and PEM files served by HAProxy 2.6 and by pocketlb:
// which certificate is served for which SNI, ALPN, strict-sni and client
// certificate refusals, ssl_fc*/ssl_c_* values, redirect to https, TLS to
// servers with a good and a wrong CA, and TLS passthrough routed by SNI.

const SITES = ['sni', 'strict', 'mtls', 'mtlsopt', 'plain', 'fwd', 'up', 'upbad', 'pass'] as const
type Site = typeof SITES[number]

let certs: TestCerts
let web: Backend
let upstream: HttpsServer
let upPort = 0
const passServers: TlsServer[] = []
const passPorts: number[] = []
let hap: RunningHaproxy
let plb: Engine
const hapPort = new Map<Site, number>()
const plbPort = new Map<Site, number>()

const SHOW = 'fc=%[ssl_fc] sni=%[ssl_fc_sni] alpn=%[ssl_fc_alpn] proto=%[ssl_fc_protocol] cipher=%[ssl_fc_cipher] ' +
  'used=%[ssl_c_used] verify=%[ssl_c_verify] dn=%[ssl_c_s_dn] idn=%[ssl_c_i_dn] cn=%[ssl_c_s_dn(CN)] fdn=%[ssl_f_s_dn]'

function config (port: (s: Site) => number): string {
  const c = certs
  return `
defaults
  mode http
  timeout connect 2s
  timeout client 5s
  timeout server 5s
frontend sni
  bind 127.0.0.1:${port('sni')} ssl crt ${c.a} crt ${c.b} alpn http/1.1
  http-request return status 200 content-type text/plain lf-string "${SHOW}"
frontend strict
  bind 127.0.0.1:${port('strict')} ssl strict-sni crt ${c.a}
  http-request return status 200 content-type text/plain lf-string "${SHOW}"
frontend mtls
  bind 127.0.0.1:${port('mtls')} ssl crt ${c.a} ca-file ${c.ca} verify required
  http-request return status 200 content-type text/plain lf-string "${SHOW}"
frontend mtlsopt
  bind 127.0.0.1:${port('mtlsopt')} ssl crt ${c.a} ca-file ${c.ca} verify optional
  http-request return status 200 content-type text/plain lf-string "${SHOW}"
frontend plain
  bind 127.0.0.1:${port('plain')}
  http-request redirect scheme https if !{ ssl_fc }
frontend fwd
  bind 127.0.0.1:${port('fwd')} ssl crt ${c.a}
  http-request set-header X-Forwarded-Proto https if { ssl_fc }
  http-request set-header X-SNI %[ssl_fc_sni]
  default_backend web
frontend up
  bind 127.0.0.1:${port('up')}
  default_backend upgood
frontend upbad
  bind 127.0.0.1:${port('upbad')}
  default_backend upwrongca
frontend pass
  mode tcp
  bind 127.0.0.1:${port('pass')}
  tcp-request inspect-delay 2s
  tcp-request content accept if { req.ssl_hello_type 1 }
  use_backend passa if { req.ssl_sni -i a.example.com }
  default_backend passb
backend web
  server w1 127.0.0.1:${web.port}
backend upgood
  retries 1
  server u1 127.0.0.1:${upPort} ssl verify required ca-file ${c.ca} sni str(a.example.com)
backend upwrongca
  retries 1
  server u1 127.0.0.1:${upPort} ssl verify required ca-file ${c.otherCa} sni str(a.example.com)
backend passa
  mode tcp
  server pa 127.0.0.1:${passPorts[0]}
backend passb
  mode tcp
  server pb 127.0.0.1:${passPorts[1]}
`
}

before(async () => {
  certs = makeTestCerts()
  web = await startBackend('w1')
  upstream = createHttpsServer({ cert: certs.read(certs.a), key: certs.read(certs.a) }, (req, res) => {
    res.end(`upstream sni=${(req.socket as import('node:tls').TLSSocket).servername}`)
  })
  await new Promise<void>(r => upstream.listen(0, '127.0.0.1', () => r()))
  upPort = (upstream.address() as { port: number }).port
  // passthrough targets: TLS servers that answer with their own name
  for (const [name, pem] of [['pass-a', certs.a], ['pass-b', certs.b]] as const) {
    const key = pem === certs.b ? certs.read(pem + '.key') : certs.read(pem)
    const s = createTlsServer({ cert: certs.read(pem), key }, sock => { sock.on('error', () => {}); sock.once('data', () => sock.end(`HTTP/1.1 200 OK\r\nContent-Length: ${name.length}\r\nConnection: close\r\n\r\n${name}`)) })
    await new Promise<void>(r => s.listen(0, '127.0.0.1', () => r()))
    passServers.push(s)
    passPorts.push((s.address() as { port: number }).port)
  }
  const ports = await freePorts(SITES.length * 2)
  SITES.forEach((s, i) => { hapPort.set(s, ports[i]!); plbPort.set(s, ports[SITES.length + i]!) })
  hap = await startHaproxy(config(s => hapPort.get(s)!), hapPort.get('pass')!)
  plb = await startPocketlb(config(s => plbPort.get(s)!))
})

after(async () => {
  await plb?.stop()
  await hap?.stop()
  await web?.close()
  upstream?.closeAllConnections()
  await new Promise<void>(r => upstream ? upstream.close(() => r()) : r())
  for (const s of passServers) await new Promise<void>(r => s.close(() => r()))
  certs?.remove()
})

/** The same request to both; returns [haproxy, pocketlb]. */
async function both (site: Site, opts: Parameters<typeof tlsRequest>[1]): Promise<[TlsAnswer, TlsAnswer]> {
  return [await tlsRequest(hapPort.get(site)!, opts), await tlsRequest(plbPort.get(site)!, opts)]
}

test('SNI chooses the certificate (exact, wildcard, default = first) and ALPN is negotiated', async () => {
  const cases: [string | undefined, string][] = [
    ['a.example.com', 'a.example.com'], ['b.example.com', 'b.example.com'], ['x.wild.example.com', 'a.example.com'],
    ['B.EXAMPLE.COM', 'b.example.com'], ['unknown.test', 'a.example.com'], [undefined, 'a.example.com']
  ]
  for (const [servername, cn] of cases) {
    const [h, p] = await both('sni', { servername, ALPNProtocols: ['h2', 'http/1.1'] })
    assert.equal(h.servedCn, cn, `haproxy for ${servername}`)
    assert.equal(p.servedCn, cn, `pocketlb for ${servername}`)
    assert.equal(p.alpn, h.alpn)
    assert.equal(p.alpn, 'http/1.1')
    assert.equal(p.status, 200)
    assert.equal(p.body, h.body, `fetch values for ${servername}`)
  }
})

test('strict-sni refuses unknown and missing SNI, as HAProxy', async () => {
  for (const servername of ['a.example.com', 'nope.example.com', undefined]) {
    const [h, p] = await both('strict', { servername })
    assert.equal(p.status, h.status, `status for ${servername}`)
    assert.equal(p.ok, h.ok, `handshake for ${servername}`)
  }
  const [h] = await both('strict', { servername: 'a.example.com' })
  assert.equal(h.status, 200)
})

test('client certificates: required refuses none and a foreign one, optional accepts none; ssl_c_* values', async () => {
  const client = { cert: certs.read(certs.clientCrt), key: certs.read(certs.clientKey) }
  const rogue = { cert: certs.read(certs.rogue), key: certs.read(certs.rogue) }
  for (const site of ['mtls', 'mtlsopt'] as const) {
    for (const [label, creds] of [['none', {}], ['good', client], ['foreign', rogue]] as const) {
      const [h, p] = await both(site, { servername: 'a.example.com', ...creds })
      assert.equal(p.status, h.status, `${site} with ${label} certificate`)
      assert.equal(p.body, h.body, `${site} with ${label} certificate`)
    }
  }
  const [, p] = await both('mtls', { servername: 'a.example.com', ...client })
  assert.match(p.body, /used=1 verify=0 dn=\/C=FR\/O=Pocket\/CN=client1 idn=\/CN=Pocket Test CA cn=client1/)
  const [, none] = await both('mtlsopt', { servername: 'a.example.com' })
  assert.match(none.body, /used=0/)
})

test('redirect scheme https if !{ ssl_fc } on a plain bind', async () => {
  const req = 'GET /x?y=1 HTTP/1.1\r\nHost: shop.example.com\r\n\r\n'
  const h = await rawExchange(hapPort.get('plain')!, req)
  const p = await rawExchange(plbPort.get('plain')!, req)
  const loc = (r: string): string => /\r\nlocation: ([^\r]*)/i.exec(r)?.[1] ?? ''
  assert.equal(p.split('\r\n')[0], h.split('\r\n')[0])
  assert.equal(loc(p), loc(h))
  assert.equal(loc(p), 'https://shop.example.com/x?y=1')
})

test('X-Forwarded-Proto https if { ssl_fc } reaches the server', async () => {
  web.seen.length = 0
  const [h, p] = await both('fwd', { servername: 'a.example.com', urlPath: '/f' })
  assert.equal(h.status, 200, JSON.stringify(h))
  assert.equal(p.status, 200, JSON.stringify(p))
  const hdr = (i: number, name: string): string | undefined => {
    const raw = web.seen[i]!.headers
    const k = raw.findIndex((v, j) => j % 2 === 0 && v.toLowerCase() === name)
    return k < 0 ? undefined : raw[k + 1]
  }
  assert.equal(web.seen.length, 2)
  assert.equal(hdr(1, 'x-forwarded-proto'), hdr(0, 'x-forwarded-proto'))
  assert.equal(hdr(1, 'x-forwarded-proto'), 'https')
  assert.equal(hdr(1, 'x-sni'), 'a.example.com')
})

test('TLS to servers: verify required with the right CA and SNI passes, a wrong CA is a 503', async () => {
  const req = 'GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n'
  const hGood = await rawExchange(hapPort.get('up')!, req)
  const pGood = await rawExchange(plbPort.get('up')!, req)
  assert.equal(pGood.split('\r\n')[0], hGood.split('\r\n')[0])
  assert.match(pGood, /upstream sni=a\.example\.com$/)
  const hBad = await rawExchange(hapPort.get('upbad')!, req)
  const pBad = await rawExchange(plbPort.get('upbad')!, req)
  assert.equal(pBad.split('\r\n')[0], hBad.split('\r\n')[0])
  assert.match(pBad, /^HTTP\/1\.1 503 /)
})

test('TLS passthrough: mode tcp routes by req.ssl_sni without decrypting', async () => {
  for (const [servername, target, cn] of [['a.example.com', 'pass-a', 'a.example.com'], ['b.example.com', 'pass-b', 'b.example.com'], ['zzz.test', 'pass-b', 'b.example.com']] as const) {
    const [h, p] = await both('pass', { servername })
    assert.equal(h.body, target, `haproxy for ${servername}`)
    assert.equal(p.body, target, `pocketlb for ${servername}`)
    assert.equal(p.servedCn, cn)
  }
})
