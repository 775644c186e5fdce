// The pieces of observe mode without a network: the passive HTTP tap (split at
// every byte, chunked, interim 1xx, HEAD, until-close), the SNI reader and the ring store.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { connect as tlsConnect } from 'node:tls'
import { createServer, type AddressInfo } from 'node:net'
import { HttpTap, type TapHead } from '../../../src/observe/http-tap.ts'
import { sniOf } from '../../../src/observe/sni.ts'
import { CaptureStore } from '../../../src/observe/store.ts'
import type { TlsFlow } from '../../../src/observe/types.ts'

interface Seen { heads: string[]; bodies: string[]; ends: Array<[number, number]>; tunnels: string[] }

function tap (isResponse: boolean, noBodyFor: (h: TapHead) => boolean = () => false): { t: HttpTap; seen: Seen } {
  const seen: Seen = { heads: [], bodies: [''], ends: [], tunnels: [] }
  const t = new HttpTap(isResponse, {
    head (h) { seen.heads.push(isResponse ? `${h.status} ${h.reason}` : `${h.method} ${h.uri}`); return noBodyFor(h) },
    body (c) { seen.bodies[seen.bodies.length - 1] += c.toString('latin1') },
    end (wire, body) { seen.ends.push([wire, body]); seen.bodies.push('') },
    tunnel (why) { seen.tunnels.push(why) }
  })
  return { t, seen }
}

/** Feeds <wire> in pieces of <size> bytes. */
function feed (t: HttpTap, wire: string, size: number): void {
  const buf = Buffer.from(wire, 'latin1')
  for (let i = 0; i < buf.length; i += size) t.push(buf.subarray(i, i + size))
}

const RESPONSES = 'HTTP/1.1 100 Continue\r\n\r\n' +
  'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5;ext=1\r\nhello\r\n7\r\n, world\r\n0\r\nX-Trailer: t\r\n\r\n' +
  'HTTP/1.1 204 No Content\r\nContent-Length: 9\r\n\r\n' +
  'HTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\nabc' +
  'HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\n' +                    // answer to HEAD: no body
  'HTTP/1.0 200 OK\r\n\r\nuntil the close'

test('tap: responses split at every size give the same messages, sizes and bodies', () => {
  for (const size of [1, 2, 3, 7, 64, 4096]) {
    let n = 0
    const { t, seen } = tap(true, () => ++n === 4)
    feed(t, RESPONSES, size)
    t.close()
    assert.deepEqual(seen.heads, ['200 OK', '204 No Content', '200 OK', '200 OK', '200 OK'], `size ${size}`)
    assert.deepEqual(seen.bodies.slice(0, 5), ['hello, world', '', 'abc', '', 'until the close'], `size ${size}`)
    const wireTotal = seen.ends.reduce((a, [w]) => a + w, 0)
    assert.equal(wireTotal, Buffer.byteLength(RESPONSES), `size ${size}: every byte belongs to a message`)
    assert.deepEqual(seen.ends.map(e => e[1]), [12, 0, 3, 0, 15])
    assert.deepEqual(seen.tunnels, [])
  }
})

test('tap: requests with and without bodies, then an upgrade stops the tap', () => {
  const { t, seen } = tap(false)
  feed(t, 'GET / HTTP/1.1\r\nHost: a\r\n\r\nPOST /p HTTP/1.1\r\nContent-Length: 4\r\n\r\nabcdGET /ws HTTP/1.1\r\nUpgrade: websocket\r\n\r\n', 5)
  assert.deepEqual(seen.heads, ['GET /', 'POST /p', 'GET /ws'])
  assert.deepEqual(seen.ends.slice(0, 2), [[27, 0], [43, 4]])

  const r = tap(true)
  feed(r.t, 'HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n\r\n\x81\x05hello', 8)
  assert.deepEqual(r.seen.heads, ['101 Switching Protocols'])
  assert.deepEqual(r.seen.tunnels, ['upgraded'])

  const bad = tap(false)
  feed(bad.t, '\x16\x03\x01 not http\r\n\r\n', 100)
  assert.deepEqual(bad.seen.tunnels, ['not HTTP/1.x'])
})

test('sni: read from a real ClientHello, also when it arrives in pieces', async () => {
  const hello = await new Promise<Buffer>(resolve => {
    const srv = createServer(s => { s.once('data', d => { s.destroy(); srv.close(); resolve(d) }) })
    srv.listen(0, '127.0.0.1', () => {
      tlsConnect({ port: (srv.address() as AddressInfo).port, host: '127.0.0.1', servername: 'api.example.org' }).on('error', () => {})
    })
  })
  assert.equal(sniOf(hello), 'api.example.org')
  assert.equal(sniOf(hello.subarray(0, 40)), 'more')
  assert.equal(sniOf(Buffer.from('GET / HTTP/1.1\r\n\r\n')), null)
})

test('store: bounded ring, filters, ids only grow, live event', () => {
  const store = new CaptureStore(3)
  const seen: number[] = []
  store.on('exchange', c => seen.push(c.id))
  const flow = (sni: string): TlsFlow => ({ kind: 'tls', id: store.nextId(), startedAt: 0, client: '10.0.0.1:1000', server: '10.0.0.2:443', sni, bytesUp: 1, bytesDown: 2, durationMs: 3 })
  for (const name of ['a.test', 'b.test', 'c.test', 'd.test', 'e.test']) store.add(flow(name))
  assert.deepEqual(store.list().map(c => c.id), [3, 4, 5])
  assert.deepEqual(seen, [1, 2, 3, 4, 5])
  assert.equal(store.get(1), undefined)
  assert.equal((store.get(4) as TlsFlow).sni, 'd.test')
  assert.deepEqual(store.list({ text: 'E.TEST' }).map(c => c.id), [5])
  assert.deepEqual(store.list({ afterId: 3 }).map(c => c.id), [4, 5])
  assert.deepEqual(store.list({ limit: 1 }).map(c => c.id), [5])
  assert.deepEqual(store.list({ kind: 'http' }), [])
  assert.deepEqual(store.toHar().log.entries, [])
})
