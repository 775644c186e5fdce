import { test } from 'node:test'
import assert from 'node:assert/strict'
import { createServer } from 'node:net'
import { connect } from 'node:tls'
import { parseClientHello } from '../../../src/tls/client-hello.ts'

/** The first bytes a real node:tls client sends for <opts>. */
function captureHello (opts: { servername?: string; ALPNProtocols?: string[] }): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const srv = createServer(s => {
      s.once('data', d => { resolve(d); s.destroy(); srv.close() })
    })
    srv.listen(0, '127.0.0.1', () => {
      const c = connect({ host: '127.0.0.1', port: (srv.address() as { port: number }).port, rejectUnauthorized: false, ...opts })
      c.on('error', () => { /* the capture server hangs up */ })
    })
    srv.on('error', reject)
  })
}

test('a real ClientHello gives its SNI, ALPN, record version and handshake type', async () => {
  const hello = await captureHello({ servername: 'Shop.Example.com', ALPNProtocols: ['h2', 'http/1.1'] })
  const h = parseClientHello(hello)
  assert.ok(h !== null)
  assert.equal(h.handshakeType, 1)
  assert.equal(h.recordVersion, 0x30001)
  assert.equal(h.sni, 'Shop.Example.com')
  assert.deepEqual(h.alpn, ['h2', 'http/1.1'])
  assert.equal(h.ellipticCurvesExt, true)
})

test('no SNI extension: sni is null; truncated or non-TLS data: no result', async () => {
  const hello = await captureHello({})
  assert.equal(parseClientHello(hello)?.sni, null)
  assert.equal(parseClientHello(hello.subarray(0, hello.length - 1)), null)
  assert.equal(parseClientHello(Buffer.from('GET / HTTP/1.1\r\n\r\n')), null)
  assert.equal(parseClientHello(Buffer.alloc(0)), null)
})

test('a malformed extension list keeps the header fields and gives no SNI', () => {
  // record header + handshake header claiming a ClientHello whose body is garbage
  const body = Buffer.alloc(50, 0xff)
  const rec = Buffer.concat([Buffer.from([0x16, 3, 1, 0, body.length + 4, 1, 0, 0, body.length]), body])
  const h = parseClientHello(rec)
  assert.ok(h !== null)
  assert.equal(h.handshakeType, 1)
  assert.equal(h.sni, null)
})
