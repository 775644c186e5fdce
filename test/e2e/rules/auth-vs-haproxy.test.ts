import { test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { startBackend, type Backend } from '../../helpers/backends.ts'
import { rawExchange } from '../../helpers/net.ts'
import { until } from '../../helpers/wait.ts'
import { logMessages, startSideBySide, type SideBySide } from './side-by-side.ts'

// userlist + http_auth / http_auth_group + `http-request auth` beside HAProxy
// 2.6 with the same config: the 401 challenge byte for byte (realm given and
// defaulted to the proxy name), crypt hashes ($1$ $5$ $6$) and clear
// passwords, group ACLs, and the log line's termination state.

let srv: Backend
let sides: SideBySide

// openssl passwd -6 -salt saltsalt secret / -5 -salt abc secret / -1 -salt xy secret
const H6 = '$6$saltsalt$TVLlQcbpFVof5W3Yz4DTP6gRstiNuHwwTt6GLc1E5n0U0aDehy0S5knV8wiOQSpT0Y77vwPZN.Pq.H91p5hVO1'
const H5 = '$5$abc$qsg6EHbUzHQzF1POlD7zUwBINSELQxypPaeDcZe6vH0'
const H1 = '$1$xy$mkJt1Ht8AivD6sawHd.Cf1'

function config (port: number, logPort: number): string {
  return `
userlist L1
  group G1 users tiger,scott
  group G2
  user tiger password ${H6}
  user scott insecure-password elgato groups G2
  user five password ${H5}
  user one password ${H1}
defaults
  mode http
  log 127.0.0.1:${logPort} local0
  log-format "%ft %b %s %ts %ST %r"
  timeout connect 1s
  timeout client 5s
  timeout server 5s
frontend fe
  bind 127.0.0.1:${port}
  acl ok http_auth(L1)
  acl g1 http_auth_group(L1) G1
  acl g2 http_auth_group(L1) G2
  http-request return status 200 content-type text/plain lf-string "group G1: %[http_auth_group(L1)]" if g1 { path /group }
  http-request return status 200 content-type text/plain string "group G2" if g2 { path /group }
  use_backend be2 if { path_beg /be2 }
  http-request auth realm "Staff only" unless ok || { path_beg /be2 }
  default_backend be1
backend be1
  server s1 127.0.0.1:${srv.port}
backend be2
  http-request auth if !{ http_auth(L1) } || { hdr(x-force-auth) -m found }
  server s1 127.0.0.1:${srv.port}
`
}

before(async () => {
  srv = await startBackend('s1')
  sides = await startSideBySide(1, (ports, logPort) => config(ports[0], logPort))
})

after(async () => {
  await sides?.stop()
  await srv?.close()
})

/** The whole response without its date line, for <cred> (user:password) or none. */
async function exchange (port: number, path: string, cred: string | null, extra = ''): Promise<string> {
  const auth = cred === null ? '' : `Authorization: Basic ${Buffer.from(cred).toString('base64')}\r\n`
  const r = await rawExchange(port, `GET ${path} HTTP/1.1\r\nHost: x\r\n${auth}${extra}Connection: close\r\n\r\n`)
  return r.split('\r\n').filter(l => !/^date:/i.test(l)).join('\r\n')
}

async function both (path: string, cred: string | null, extra = ''): Promise<string> {
  const h = await exchange(sides.hapPorts[0], path, cred, extra)
  assert.equal(await exchange(sides.plbPorts[0], path, cred, extra), h, `${path} ${cred ?? '(no credentials)'} ${extra}`)
  return h
}

test('no or wrong credentials: the same 401 challenge with the realm given', async () => {
  const r = await both('/', null)
  assert.match(r, /^HTTP\/1\.1 401 Unauthorized\r\n[\s\S]*www-authenticate: Basic realm="Staff only"\r\n/)
  for (const cred of ['tiger:wrong', 'nobody:secret', 'scott:', 'five:Secret']) assert.match(await both('/', cred), /^HTTP\/1\.1 401 /)
})

test('crypt ($6$ $5$ $1$) and clear passwords are accepted as HAProxy accepts them', async () => {
  for (const cred of ['tiger:secret', 'scott:elgato', 'five:secret', 'one:secret']) assert.match(await both('/', cred), /^HTTP\/1\.1 200 /, cred)
})

test('http_auth_group: the group ACL and the user name as a sample', async () => {
  assert.match(await both('/group', 'tiger:secret'), /group G1: tiger$/)
  assert.match(await both('/group', 'scott:elgato'), /group G1: scott$/)
  assert.match(await both('/group', 'one:secret'), /^HTTP\/1\.1 200 /, 'in no group: on to the server')
})

test('odd Authorization headers are judged as HAProxy judges them', async () => {
  const tiger = Buffer.from('tiger:secret').toString('base64')
  for (const h of [`basic ${tiger}`, `BASIC  ${tiger}`, 'Basic', 'Basic !!!!', `Basic ${Buffer.from('tiger').toString('base64')}`, `Bearer ${tiger}`, `Basic ${tiger}x`]) {
    await both('/', null, `Authorization: ${h}\r\n`)
  }
})

test('a backend rule without realm uses the backend name', async () => {
  assert.match(await both('/be2', null), /www-authenticate: Basic realm="be2"/)
  assert.match(await both('/be2', 'tiger:secret', 'X-Force-Auth: 1\r\n'), /realm="be2"/)
  assert.match(await both('/be2', 'tiger:secret'), /^HTTP\/1\.1 200 /)
})

test('the log lines are the same (401 answered locally: LR)', async () => {
  const wanted = 22 // requests sent by the tests above
  // the start-up probe of the port is logged by HAProxy as a bad request
  const hap = (): string[] => logMessages(sides.hapLog, /<BADREQ>/)
  const plb = (): string[] => logMessages(sides.plbLog, /<BADREQ>/)
  assert.ok(await until(() => hap().length >= wanted && plb().length >= wanted, 3000), `${hap().length} / ${plb().length} log lines`)
  assert.ok(hap().includes('fe fe <NOSRV> LR 401 GET / HTTP/1.1\n'))
  // each proxy logs a stream when it ends, which under load may come after the next one: compare as sets
  assert.deepEqual(plb().sort(), hap().sort())
})
