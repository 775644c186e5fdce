/** Our runtime API and stats page end to end: an in-process Engine with real
 *  HTTP backends, traffic, then commands on unix stats sockets of each level. */
import { test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { connect } from 'node:net'
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { startBackends, startOurs, cli, get, spread, tempDir, csvRows, type Backends, type Ours } from './helpers.ts'
import { STAT_HEADER } from '../../../src/runtime/stat-fields.ts'
import { statsPageResponse } from '../../../src/runtime/stats-page.ts'
import type { LocalPageRequest } from '../../../src/proxy/frontend-runtime.ts'
import { freePorts } from '../../helpers/net.ts'

let backends: Backends
let ours: Ours
const dir = tempDir()
const [port] = await freePorts(1)
const admin = join(dir.path, 'admin.sock')
const user = join(dir.path, 'user.sock')
const mapFile = join(dir.path, 'keys.map')

before(async () => {
  backends = await startBackends(2)
  writeFileSync(mapFile, 'alpha one\nbeta two\n')
  ours = await startOurs(`global
  maxconn 100
  stats socket ${admin} level admin
  stats socket ${user} level user
defaults
  mode http
  timeout connect 2s
  timeout client 5s
  timeout server 5s
frontend fe
  bind 127.0.0.1:${port}
  http-request set-header X-M %[req.hdr(x-k),map(${mapFile},none)]
  stats enable
  stats uri /st
  stats auth ops:secret
  stats realm Pocket
  default_backend bk
backend bk
  server s1 127.0.0.1:${backends.ports[0]} weight 10
  server s2 127.0.0.1:${backends.ports[1]} weight 10
`, dir.path)
})

after(async () => {
  await ours?.stop()
  await backends?.close()
  dir.remove()
})

test('show stat: HAProxy header, rows per proxy, counters follow traffic', async () => {
  await spread(port, 6)
  const rows = csvRows(await cli(admin, 'show stat'))
  assert.equal(rows[0].join(','), STAT_HEADER)
  assert.deepEqual(rows.slice(1).map(r => r[0] + '/' + r[1]), ['fe/FRONTEND', 'bk/s1', 'bk/s2', 'bk/BACKEND'])
  const col = (name: string): number => rows[0].indexOf(name === 'pxname' ? '# pxname' : name)
  const fe = rows[1]
  assert.equal(fe[col('stot')], '6')
  assert.equal(fe[col('hrsp_2xx')], '6')
  assert.equal(fe[col('slim')], '100')
  assert.equal(rows[2][col('stot')], '3')
  assert.equal(rows[3][col('stot')], '3')
  assert.equal(rows[4][col('status')], 'UP')
  assert.equal(rows[4][col('weight')], '20')
  assert.equal(rows[4][col('slim')], '10')
  assert.equal(rows[2][col('addr')], `127.0.0.1:${backends.ports[0]}`)
  for (const r of rows) assert.equal(r.length, rows[0].length)
})

test('disable/enable server and set weight change where traffic goes', async () => {
  assert.equal(await cli(admin, 'disable server bk/s1'), '\n')
  assert.deepEqual([...(await spread(port, 4)).entries()], [['s2', 4]])
  assert.match(await cli(admin, 'show stat'), /\nbk,s1,(?:[^,]*,){15}MAINT,/)
  assert.equal(await cli(admin, 'enable server bk/s1'), '\n')
  assert.equal(await cli(admin, 'set server bk/s2 weight 0'), '\n')
  assert.deepEqual([...(await spread(port, 4)).entries()], [['s1', 4]])
  assert.equal(await cli(admin, 'get weight bk/s2'), '0 (initial 10)\n\n')
  assert.equal(await cli(admin, 'set weight bk/s2 100%; get weight bk/s2'), '\n10 (initial 10)\n\n')
  assert.equal(await cli(admin, 'set server bk/s1 state drain'), '\n')
  assert.deepEqual([...(await spread(port, 4)).entries()], [['s2', 4]])
  assert.equal(await cli(admin, 'set server bk/s1 state ready'), '\n')
  const seen = await spread(port, 4)
  assert.equal(seen.get('s1'), 2)
  assert.equal(seen.get('s2'), 2)
})

test('errors and levels answer with HAProxy texts', async () => {
  assert.equal(await cli(admin, 'disable server bk/nope'), 'No such server.\n\n')
  assert.equal(await cli(admin, 'disable server nope/s1'), 'No such backend.\n\n')
  assert.equal(await cli(admin, 'set server bk/s1 state off'), "'set server <srv> state' expects 'ready', 'drain' and 'maint'.\n\n")
  assert.equal(await cli(admin, 'set weight bk/s1 300'), 'Absolute weight can only be between 0 and 256 inclusive.\n\n')
  assert.equal(await cli(user, 'disable server bk/s1'), 'Permission denied\n\n')
  assert.equal(await cli(user, 'show sess'), 'Permission denied\n\n')
  assert.equal(await cli(user, 'get weight bk/s1'), '10 (initial 10)\n\n')
  assert.equal(await cli(user, 'show cli level'), 'user\n\n')
  assert.match(await cli(admin, 'show stats'), /^Unknown command, but maybe one of the following ones is a better match:\n/)
  assert.match(await cli(admin, 'show info'), /^Name: pocketlb\nVersion: .*\n(?:.*\n)*CumReq: \d+\n/)
  assert.equal(await cli(admin, 'show backend'), '# name\nbk\n\n')
})

test('map edits through the runtime API reach the next request', async () => {
  const hdr = async (k: string): Promise<string> => (await get(port, '/', { 'x-k': k })).body.split(' ').slice(1).join(' ')
  assert.equal(await hdr('alpha'), 'one')
  assert.equal(await cli(admin, `show map ${mapFile}`), '0x0 alpha one\n0x1 beta two\n\n')
  assert.match(await cli(admin, 'show map'), new RegExp(`^# id \\(file\\) description\n0 \\(${mapFile}\\) .*entry_cnt=2\n\n$`))
  assert.equal(await cli(admin, `set map ${mapFile} alpha uno`), '\n')
  assert.equal(await hdr('alpha'), 'uno')
  assert.equal(await cli(admin, 'add map #0 gamma three'), '\n')
  assert.equal(await hdr('gamma'), 'three')
  assert.equal(await cli(admin, `del map ${mapFile} beta`), '\n')
  assert.equal(await hdr('beta'), 'none')
  assert.equal(await cli(admin, `del map ${mapFile} beta`), 'Key not found.\n\n')
  assert.equal(await cli(admin, 'clear map /nope'), 'Unknown map identifier. Please use #<id> or <file>.\n\n')
  assert.equal(await cli(admin, `clear map ${mapFile}`), '\n')
  assert.equal(await hdr('alpha'), 'none')
})

test('prompt mode keeps the session, answers each command then "> "', async () => {
  const out = await new Promise<string>((resolve, reject) => {
    let text = ''
    const c = connect(admin)
    c.setEncoding('latin1')
    c.on('error', reject)
    c.on('data', d => {
      text += d
      if (text === '\n> ') c.write('show backend; get weight bk/s1\n')
      else if (text.endsWith('(initial 10)\n\n> ')) c.write('quit\n')
    })
    c.on('close', () => resolve(text))
    c.write('prompt\n')
  })
  assert.equal(out, '\n> # name\nbk\n\n> 10 (initial 10)\n\n> ')
})

/** A GET of <uri> for the stats page, without admin rights. */
function pageGet (uri: string, authorization: string | undefined): LocalPageRequest {
  return { method: 'GET', uri, authorization, admin: false, body: [], bodyBytes: 0, bodyComplete: true }
}

test('stats page: 401 with realm, CSV export, HTML tables, other URIs untouched', () => {
  const fe = ours.engine.current.frontends[0]
  const page = fe.plan.statsPage
  assert.ok(page)
  const gen = ours.engine.current
  assert.equal(statsPageResponse(gen, page, pageGet('/other', undefined)), null)
  const denied = String(statsPageResponse(gen, page, pageGet('/st', undefined)))
  assert.match(denied, /^HTTP\/1\.1 401 Unauthorized\r\n/)
  assert.match(denied, /\r\nwww-authenticate: Basic realm="Pocket"\r\n/)
  assert.match(denied, /\r\ncontent-length: 112\r\n/)
  const auth = 'Basic ' + Buffer.from('ops:secret').toString('base64')
  const csv = String(statsPageResponse(gen, page, pageGet('/st;csv', auth)))
  assert.match(csv, /^HTTP\/1\.1 200 OK\r\n/)
  const body = csv.slice(csv.indexOf('\r\n\r\n') + 4)
  assert.equal(body.split('\n')[0], STAT_HEADER)
  assert.equal(body.split('\n').filter(l => l !== '').length, 5)
  const html = String(statsPageResponse(gen, page, pageGet('/st', auth)))
  assert.match(html, /content-type: text\/html/)
  assert.match(html, /<table id="bk">/)
  assert.match(html, /<td>s2<\/td>/)
  assert.equal(String(statsPageResponse(gen, page, pageGet('/st', 'Basic ' + Buffer.from('ops:bad').toString('base64')))).slice(0, 21), 'HTTP/1.1 401 Unauthor')
})
