import { test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { startBackend, type Backend } from '../../helpers/backends.ts'
import { startHaproxy, type RunningHaproxy } from '../../helpers/haproxy.ts'
import { startPocketlb } from '../../helpers/pocketlb.ts'
import { freePorts, rawExchange, statusOf } from '../../helpers/net.ts'
import type { Engine } from '../../../src/proxy/engine.ts'

// The same malformed and borderline requests go to HAProxy 2.6 and to pocketlb,
// both in front of the same real backend; the status each answers must agree,
// and so must whether the request reached the backend.
const cases: Record<string, string> = {
  valid: 'GET / HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n',
  http10: 'GET / HTTP/1.0\r\n\r\n',
  http09: 'GET /\r\n\r\n',
  badVersion: 'GET / HTTP/1.x\r\nHost: a\r\n\r\n',
  lowercaseVersion: 'GET / http/1.1\r\nHost: a\r\n\r\n',
  clAndTe: 'POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n0\r\n\r\n',
  duplicateDifferentCl: 'POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 3\r\nContent-Length: 4\r\n\r\nabcd',
  duplicateSameCl: 'POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 3\r\nContent-Length: 3\r\nConnection: close\r\n\r\nabc',
  clList: 'POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 3, 3\r\nConnection: close\r\n\r\nabc',
  negativeCl: 'POST / HTTP/1.1\r\nHost: a\r\nContent-Length: -1\r\n\r\n',
  alphaCl: 'POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 3a\r\n\r\nabc',
  absurdCl: 'POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 99999999999999999999999\r\n\r\n',
  teGzip: 'POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: gzip\r\n\r\n',
  teChunkedNotLast: 'POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked, gzip\r\n\r\n',
  teChunkedTwice: 'POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked, chunked\r\n\r\n0\r\n\r\n',
  badChunkSize: 'POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\nabc\r\n0\r\n\r\n',
  chunked: 'POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n3\r\nabc\r\n0\r\n\r\n',
  chunkExtension: 'POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n3;x=y\r\nabc\r\n0\r\n\r\n',
  hugeChunk: 'POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\nffffffffffffffffff\r\nabc\r\n',
  obsFold: 'GET / HTTP/1.1\r\nHost: a\r\nX-A: b\r\n c\r\nConnection: close\r\n\r\n',
  spaceInName: 'GET / HTTP/1.1\r\nHost: a\r\nX A: b\r\n\r\n',
  spaceBeforeColon: 'GET / HTTP/1.1\r\nHost: a\r\nX-A : b\r\n\r\n',
  noColon: 'GET / HTTP/1.1\r\nHost: a\r\nXA\r\n\r\n',
  emptyName: 'GET / HTTP/1.1\r\nHost: a\r\n: b\r\n\r\n',
  bareLf: 'GET / HTTP/1.1\nHost: a\nConnection: close\n\n',
  badMethod: 'G(T / HTTP/1.1\r\nHost: a\r\n\r\n',
  spaceInUri: 'GET /a b HTTP/1.1\r\nHost: a\r\n\r\n',
  ctlInUri: 'GET /a\x01b HTTP/1.1\r\nHost: a\r\n\r\n',
  hashInUri: 'GET /a#b HTTP/1.1\r\nHost: a\r\n\r\n',
  twoHosts: 'GET / HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n',
  absoluteUri: 'GET http://x/y HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n',
  absoluteUriOtherHost: 'GET http://x/y HTTP/1.1\r\nHost: z\r\n\r\n',
  optionsStar: 'OPTIONS * HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n',
  longUri: 'GET /' + 'a'.repeat(20000) + ' HTTP/1.1\r\nHost: a\r\n\r\n',
  longHeader: 'GET / HTTP/1.1\r\nHost: a\r\nX-A: ' + 'b'.repeat(20000) + '\r\n\r\n',
  tooManyHeaders: 'GET / HTTP/1.1\r\nHost: a\r\n' + Array.from({ length: 120 }, (_, i) => `X-${i}: v\r\n`).join('') + '\r\n',
  leadingEmptyLines: '\r\n\r\nGET / HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n',
  head: 'HEAD / HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n',
  tlsHello: '\x16\x03\x01\x00\xa5\x01\x00\x00\xa1\x03\x03'
}

let backend: Backend
let hap: RunningHaproxy
let plb: Engine
let hapPort = 0
let plbPort = 0

before(async () => {
  backend = await startBackend('s1')
  ;[hapPort, plbPort] = await freePorts(2)
  const cfg = (port: number): string => `
global
  maxconn 100
defaults
  mode http
  timeout connect 1s
  timeout client 3s
  timeout server 3s
  timeout http-request 1s
frontend f
  bind 127.0.0.1:${port}
  default_backend b
backend b
  server s1 127.0.0.1:${backend.port}
`
  hap = await startHaproxy(cfg(hapPort), hapPort)
  plb = await startPocketlb(cfg(plbPort))
})

after(async () => {
  await hap?.stop()
  await plb?.stop()
  await backend?.close()
})

for (const [name, raw] of Object.entries(cases)) {
  test(`malformed request '${name}': same answer as HAProxy`, async () => {
    const seenBefore = backend.seen.length
    const h = await rawExchange(hapPort, raw, 1500)
    const hapReached = backend.seen.length - seenBefore
    const p = await rawExchange(plbPort, raw, 1500)
    const plbReached = backend.seen.length - seenBefore - hapReached
    assert.equal(statusOf(p), statusOf(h), `status: haproxy said ${JSON.stringify(h.slice(0, 60))}, pocketlb said ${JSON.stringify(p.slice(0, 60))}`)
    assert.equal(plbReached, hapReached, 'the request reached the backend on one side only')
    if (statusOf(h) === 400) assert.equal(p, h, 'the 400 page differs from HAProxy\'s')
  })
}
