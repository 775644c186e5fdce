import { test } from 'node:test'
import assert from 'node:assert/strict'
import { startHaproxy } from '../../helpers/haproxy.ts'
import { startPocketlb } from '../../helpers/pocketlb.ts'
import { startSyslog } from '../../helpers/syslog.ts'
import { freePorts, rawExchange } from '../../helpers/net.ts'
import { makeTestCerts } from './certs.ts'
import { tlsRequest } from './client.ts'
import { sleep } from '../../helpers/wait.ts'

// ssl_fc* values in log-format lines and the "~" HAProxy appends to the
// frontend name (%ft) of a TLS connection, compared with HAProxy 2.6.


test('log-format with %ft and ssl_fc* fetches reads as in HAProxy', async () => {
  const certs = makeTestCerts()
  const hapLog = await startSyslog()
  const plbLog = await startSyslog()
  const [hapPort, plbPort, hapPlain, plbPlain] = await freePorts(4)
  const config = (port: number, plain: number, syslog: number): string => `
defaults
  mode http
  timeout connect 2s
  timeout client 5s
  timeout server 5s
frontend fe
  log 127.0.0.1:${syslog} format raw local0
  log-format "%ft %f %[ssl_fc] sni=%[ssl_fc_sni] %[ssl_fc_protocol] alpn=%[ssl_fc_alpn] crt=%[ssl_c_used] %ST %r"
  bind 127.0.0.1:${port} ssl crt ${certs.a} alpn http/1.1
  bind 127.0.0.1:${plain}
  http-request return status 200 content-type text/plain string ok
`
  const hap = await startHaproxy(config(hapPort!, hapPlain!, hapLog.port), hapPort!)
  const plb = await startPocketlb(config(plbPort!, plbPlain!, plbLog.port))
  try {
    for (const [port, plain] of [[hapPort!, hapPlain!], [plbPort!, plbPlain!]]) {
      const a = await tlsRequest(port, { servername: 'x.wild.example.com', ALPNProtocols: ['http/1.1'], urlPath: '/tls' })
      assert.equal(a.status, 200)
      const b = await tlsRequest(port, { urlPath: '/nosni' })
      assert.equal(b.status, 200)
      await rawExchange(plain, 'GET /plain HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n', 300)
    }
    await sleep(300)
    // HAProxy also logs failed handshakes ("fe/1: Connection closed during SSL handshake", here
    // from the start-up probe of its port); pocketlb does not log those yet: left out of the comparison
    const hapLines = hapLog.lines.filter(l => !l.includes('SSL handshake'))
    assert.equal(hapLines.length, 3, hapLog.lines.join('\n'))
    assert.deepEqual(plbLog.lines.map(l => l.trim()), hapLines.map(l => l.trim()))
    assert.match(plbLog.lines[0]!, /^fe~ fe 1 sni=x\.wild\.example\.com TLSv1\.3 alpn=http\/1\.1 crt=0 200 GET \/tls HTTP\/1\.1/)
  } finally {
    await plb.stop()
    await hap.stop()
    await hapLog.close()
    await plbLog.close()
    certs.remove()
  }
})
