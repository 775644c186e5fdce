/** Differential test against HAProxy 2.6: the same configuration served by
 *  real haproxy and by our engine; the runtime API must give the same CSV
 *  header, rows and filled columns, the same answers and error texts, and
 *  the same effect of enable/disable/set weight on where traffic goes. */
import { test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { mkdirSync, writeFileSync } from 'node:fs'
import { connect } from 'node:net'
import { join } from 'node:path'
import { freePorts } from '../../helpers/net.ts'
import {
  startBackends, startOurs, startHaproxy, cli, spread, tempDir, csvRows,
  type Backends, type Ours, type Haproxy
} from './helpers.ts'

interface Side { readonly name: string; readonly port: number; readonly tcpPort: number; readonly admin: string; readonly user: string }

let backends: Backends
let ours: Ours
let haproxy: Haproxy
const dir = tempDir()
const mapFile = join(dir.path, 'm.map')
const sides: Side[] = []

function config (s: Side, ports: readonly number[]): string {
  return `global
  maxconn 150
  stats socket ${s.admin} level admin
  stats socket ${s.user} level user
defaults
  mode http
  timeout connect 2s
  timeout client 5s
  timeout server 5s
frontend fe
  bind 127.0.0.1:${s.port}
  http-request set-header X-M %[req.hdr(x-k),map(${mapFile},none)]
  default_backend bk
backend bk
  balance roundrobin
  server s1 127.0.0.1:${ports[0]} weight 10
  server s2 127.0.0.1:${ports[1]} weight 10
  server s3 127.0.0.1:${ports[2]} weight 5 disabled
  server b1 127.0.0.1:${ports[2]} backup
listen tc
  mode tcp
  bind 127.0.0.1:${s.tcpPort}
  server t1 127.0.0.1:${ports[0]}
`
}

before(async () => {
  backends = await startBackends(3)
  writeFileSync(mapFile, 'a.example b1\nb.example b2\n')
  for (const name of ['haproxy', 'ours']) {
    mkdirSync(join(dir.path, name))
    const [port, tcpPort] = await freePorts(2)
    sides.push({ name, port, tcpPort, admin: join(dir.path, name, 'admin.sock'), user: join(dir.path, name, 'user.sock') })
  }
  haproxy = await startHaproxy(config(sides[0], backends.ports), join(dir.path, 'haproxy'), sides[0].tcpPort)
  ours = await startOurs(config(sides[1], backends.ports), join(dir.path, 'ours'))
  // the same probe connection startHaproxy made, so that counters start equal
  await new Promise<void>((resolve, reject) => {
    const c = connect(sides[1].tcpPort, '127.0.0.1', () => { c.destroy(); resolve() })
    c.on('error', reject)
  })
})

after(async () => {
  await haproxy?.stop()
  await ours?.stop()
  await backends?.close()
  dir.remove()
})

/** Sends <line> to both sides' socket <which>, returns [haproxy, ours]. */
async function both (line: string, which: 'admin' | 'user' = 'admin'): Promise<[string, string]> {
  return [await cli(sides[0][which], line), await cli(sides[1][which], line)]
}

/** Columns whose values must be equal (others depend on timing, or on counters we do not
 *  keep yet: lastsess needs the time of a server's last session). */
const SAME_VALUE = ['# pxname', 'svname', 'qcur', 'scur', 'slim', 'stot', 'status', 'weight', 'act', 'bck', 'pid', 'iid',
  'sid', 'lbtot', 'type', 'hrsp_2xx', 'req_tot', 'addr', 'mode', 'uweight', '-']

test('show stat: same header, rows, filled columns and values', async () => {
  for (const s of sides) await spread(s.port, 4)
  const [h, o] = (await both('show stat')).map(csvRows)
  assert.equal(o[0].join(','), h[0].join(','), 'header line byte for byte')
  assert.deepEqual(o.map(r => r[0] + '/' + r[1]), h.map(r => r[0] + '/' + r[1]))
  for (let i = 1; i < h.length; i++) {
    const which = `${h[i][0]}/${h[i][1]}`
    assert.deepEqual(o[i].map(v => v === ''), h[i].map(v => v === ''), `empty columns of ${which}`)
    for (const c of SAME_VALUE) {
      const k = h[0].indexOf(c)
      assert.equal(o[i][k], h[i][k], `${which} column ${c}`)
    }
  }
})

test('answers and error texts are HAProxy\'s', async () => {
  const lines = [
    'enable server bk/zz', 'enable server zz/s1', 'enable server bk', 'disable server', 'get weight bk/zz', 'get weight',
    'get weight bk/s1', 'set server bk/s1 state foo', 'set server bk/s1 weight 300', 'set server bk/s1 weight -1',
    'set weight bk/s1 abc', 'set server bk/s1 weight', 'set server bk/s1 weight 10%x', 'set weight bk/s1', 'set server bk/s1',
    'set server bk/s1 foo', 'show servers state zz', 'show backend', 'set weight bk/s1 50%; get weight bk/s1',
    'set server bk/s1 weight 250%; get weight bk/s1', 'set server bk/s1 weight 10; get weight bk/s1',
    'show map /nope', 'add map /nope k v', `add map ${mapFile} k`, `set map ${mapFile} a.example`, `del map ${mapFile}`,
    `set map ${mapFile} zz v`, `del map ${mapFile} zz`, 'set maxconn server bk/zz 3',
    'shutdown sessions server bk/zz', 'shutdown sessions server bk', 'shutdown sessions server bk/b1', 'show errors zz',
    'set server bk/s1 health foo', 'disable health bk/s1', 'enable health bk/s1', 'disable agent bk/s1', 'enable agent bk/s1',
    'set server bk/s1 agent up', 'disable health bk/zz', 'enable agent'
  ]
  for (const l of lines) {
    const [h, o] = await both(l)
    assert.equal(o, h, l)
  }
  const [hUnknown, oUnknown] = await both('show foo')
  assert.equal(oUnknown.split('\n')[0], hUnknown.split('\n')[0])
  for (const l of ['disable server bk/s1', 'set weight bk/s1 3', 'show sess', 'get weight bk/s2', 'show backend',
    'shutdown sessions server bk/s1', 'show errors']) {
    const [h, o] = await both(l, 'user')
    assert.equal(o, h, 'user level: ' + l)
  }
})

test('show servers state matches (but the seconds since last change)', async () => {
  const mask = (t: string): string => t.split('\n').map(l => /^\d+ /.test(l) && l.includes(' ') ? l.split(' ').map((w, i) => i === 9 ? 'T' : w).join(' ') : l).join('\n')
  const [h, o] = await both('show servers state')
  assert.equal(mask(o), mask(h))
})

test('disable, enable, drain and weights move traffic the same way', async () => {
  const run = async (line: string, n: number): Promise<void> => {
    const [h, o] = await both(line)
    assert.equal(o, h, line)
    const [sh, so] = [await spread(sides[0].port, n), await spread(sides[1].port, n)]
    assert.deepEqual(Object.fromEntries(so), Object.fromEntries(sh), `traffic after ${line}`)
    const [hs, os] = (await both('show stat')).map(csvRows)
    for (const c of ['status', 'weight', 'act', 'bck', 'uweight']) {
      const k = hs[0].indexOf(c)
      assert.deepEqual(os.map(r => r[k]), hs.map(r => r[k]), `${c} column after ${line}`)
    }
  }
  await run('disable server bk/s1', 4)
  await run('enable server bk/s3', 5)
  await run('set server bk/s1 state ready; set server bk/s3 state maint', 4)
  await run('set weight bk/s1 30', 8)
  await run('set server bk/s1 state drain', 4)
  await run('set server bk/s1 state maint; set server bk/s2 state maint', 3)
  await run('set server bk/s1 state ready; set server bk/s2 state ready; set weight bk/s1 100%', 4)
  await run('set server bk/s2 health stopping', 4)
  await run('set server bk/s2 health down', 4)
  await run('set server bk/s2 health up', 4)
})
