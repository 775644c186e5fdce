import { test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { connect, createServer, type Server } from 'node:net'
import { startBackend, type Backend } from '../../helpers/backends.ts'
import { rawExchange } from '../../helpers/net.ts'
import { until } from '../../helpers/wait.ts'
import { logMessages, startSideBySide, type SideBySide } from './side-by-side.ts'

// tcp-response inspect-delay / content accept|reject|close on res.len and
// res.payload, and a backend's tcp-request content rules in HTTP mode
// (evaluated as the stream enters the backend), beside HAProxy 2.6: what the
// client gets and the log lines.

let echo: Server
let echoPort = 0
let web: Backend
let sides: SideBySide

function config (tcpPort: number, httpPort: number, logPort: number): string {
  return `
defaults
  log 127.0.0.1:${logPort} local0
  timeout connect 1s
  timeout client 5s
  timeout server 5s
listen tcpres
  mode tcp
  bind 127.0.0.1:${tcpPort}
  log-format "%ft %b %s %ts B=%B"
  tcp-response inspect-delay 1s
  tcp-response content reject if { res.payload(0,3) -m str BAD }
  tcp-response content close if { res.payload(0,3) -m str CLO }
  tcp-response content accept if { res.len gt 0 }
  server e1 127.0.0.1:${echoPort}
frontend web
  mode http
  bind 127.0.0.1:${httpPort}
  log-format "%ft %b %s %ts %ST %r"
  default_backend app
backend app
  mode http
  tcp-request content reject if { hdr(x-bad) -m found }
  server w1 127.0.0.1:${web.port}
`
}

before(async () => {
  // echoes what it gets; ends when the client ends
  echo = createServer(s => { s.on('data', d => s.write(d)); s.on('end', () => s.end()); s.on('error', () => {}) })
  await new Promise<void>(r => echo.listen(0, '127.0.0.1', () => r()))
  echoPort = (echo.address() as { port: number }).port
  web = await startBackend('w1')
  sides = await startSideBySide(2, (ports, logPort) => config(ports[0], ports[1], logPort))
})

after(async () => {
  await sides?.stop()
  await web?.close()
  await new Promise<void>(r => echo.close(() => r()))
})

/** Sends <msg>, ends once it came back whole; what came back and how the connection ended. */
function talk (port: number, msg: string): Promise<string> {
  return new Promise(resolve => {
    const s = connect(port, '127.0.0.1', () => s.write(msg))
    let got = ''
    let end = 'closed'
    s.on('data', d => { got += d.toString(); if (got === msg) s.end() })
    s.on('end', () => { if (got !== msg) end = 'closed by peer' })
    s.on('error', e => { end = (e as NodeJS.ErrnoException).code ?? 'error' })
    s.on('close', () => resolve(`${JSON.stringify(got)} ${end}`))
    setTimeout(() => s.destroy(), 3000)
  })
}

test('tcp-response content: accept forwards, reject cuts before any byte, close forwards then ends', async () => {
  const seen: string[] = []
  for (const msg of ['GOOD', 'BADX', 'CLOSE']) {
    const h = await talk(sides.hapPorts[0], msg)
    assert.equal(await talk(sides.plbPorts[0], msg), h, msg)
    seen.push(h)
  }
  assert.deepEqual(seen, ['"GOOD" closed', '"" closed by peer', '"CLOSE" closed'])
})

test("a backend's tcp-request content reject in HTTP mode closes without an answer", async () => {
  const req = (bad: boolean): string => `GET / HTTP/1.1\r\nHost: x\r\n${bad ? 'X-Bad: 1\r\n' : ''}Connection: close\r\n\r\n`
  for (const bad of [true, false]) {
    const h = await rawExchange(sides.hapPorts[1], req(bad))
    assert.equal((await rawExchange(sides.plbPorts[1], req(bad))).replace(/\r\ndate: [^\r]*/i, ''), h.replace(/\r\ndate: [^\r]*/i, ''))
    assert.match(h, bad ? /^$/ : /^HTTP\/1\.1 200 /)
  }
})

test('the log lines are the same (PD for a rejected response, PR in the backend)', async () => {
  // HAProxy logs the start-up probe of its port; pocketlb's engine needs none
  const hap = (): string[] => logMessages(sides.hapLog, /B=0/)
  const plb = (): string[] => logMessages(sides.plbLog, /B=0/)
  assert.ok(await until(() => hap().length >= 5 && plb().length >= 5, 3000), `${hap().length} / ${plb().length}`)
  assert.ok(hap().includes('tcpres tcpres e1 PD B=4\n') && hap().includes('web app <NOSRV> PR -1 GET / HTTP/1.1\n'), hap().join(''))
  // each proxy logs a stream when it ends, which under load may come after the next one: compare as sets
  assert.deepEqual(plb().sort(), hap().sort())
})
