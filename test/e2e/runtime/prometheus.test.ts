/** The Prometheus exporter's text against HAProxy 2.6's own exporter
 *  (`http-request use-service prometheus-exporter`) on the same proxies and
 *  servers: every metric we serve has HAProxy's name, HELP and TYPE lines, the
 *  same samples (label sets), and the same state samples for servers. */
import { test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { mkdirSync } from 'node:fs'
import { join } from 'node:path'
import { startBackends, startOurs, startHaproxy, get, tempDir, type Backends, type Ours, type Haproxy } from './helpers.ts'
import { freePorts, rawExchange } from '../../helpers/net.ts'
import { VERSION } from '../../../src/version.ts'

let backends: Backends
let ours: Ours
let haproxy: Haproxy
let haproxyPort = 0
let ourPort = 0
const dir = tempDir()

function config (port: number, tcPort: number, live: number, dead: number, service: string): string {
  return `defaults
  mode http
  timeout connect 1s
  timeout client 5s
  timeout server 5s
frontend fe
  bind 127.0.0.1:${port}
${service}  default_backend bk
backend bk
  option httpchk GET /
  server live 127.0.0.1:${live} check inter 150
  server dead 127.0.0.1:${dead} check inter 150
  server nock 127.0.0.1:${live} maxconn 5
  server off 127.0.0.1:${live} disabled
listen tc
  mode tcp
  bind 127.0.0.1:${tcPort}
  server t1 127.0.0.1:${live}
`
}

before(async () => {
  backends = await startBackends(1)
  const [dead, hTc, oFe, oTc] = await freePorts(5).then(p => { haproxyPort = p[4]; return p })
  for (const name of ['haproxy', 'ours']) mkdirSync(join(dir.path, name))
  const exporter = '  http-request use-service prometheus-exporter if { path /metrics }\n'
  haproxy = await startHaproxy(config(haproxyPort, hTc, backends.ports[0], dead, exporter),
    join(dir.path, 'haproxy'), haproxyPort)
  ourPort = oFe
  ours = await startOurs(config(oFe, oTc, backends.ports[0], dead, exporter), join(dir.path, 'ours'))
  await new Promise(resolve => setTimeout(resolve, 800))
})

after(async () => {
  await haproxy?.stop()
  await ours?.stop()
  await backends?.close()
  dir.remove()
})

interface Parsed { readonly meta: Map<string, string[]>; readonly samples: Map<string, string> }

/** metric name → its HELP/TYPE lines; "name{labels}" → value */
function parse (text: string): Parsed {
  const meta = new Map<string, string[]>()
  const samples = new Map<string, string>()
  for (const l of text.split('\n')) {
    if (l === '') continue
    const m = /^# (HELP|TYPE) (\S+)/.exec(l)
    if (m !== null) { meta.set(m[2], [...(meta.get(m[2]) ?? []), l]); continue }
    const sp = l.lastIndexOf(' ')
    samples.set(l.slice(0, sp), l.slice(sp + 1))
  }
  return { meta, samples }
}

test('metric names, HELP/TYPE lines and label sets are HAProxy\'s', async () => {
  const theirs = parse((await get(haproxyPort, '/metrics')).body)
  const mine = parse((await get(ourPort, '/metrics')).body)
  assert.ok(mine.meta.size >= 100, `${mine.meta.size} metrics`)
  assert.equal(mine.samples.get('haproxy_process_build_info{version="' + VERSION + '"}'), '1')
  for (const [name, lines] of mine.meta) {
    if (name === 'haproxy_process_build_info') continue
    assert.deepEqual(lines, theirs.meta.get(name), name)
  }
  for (const key of mine.samples.keys()) {
    if (key.startsWith('haproxy_process_build_info')) continue
    assert.ok(theirs.samples.has(key), 'HAProxy has no sample ' + key)
  }
  // every sample HAProxy gives for a metric we serve, we give too
  for (const key of theirs.samples.keys()) {
    const name = key.replace(/\{.*$/, '')
    if (mine.meta.has(name) && name !== 'haproxy_process_build_info') assert.ok(mine.samples.has(key), 'missing sample ' + key)
  }
})

test('state samples, limits and check counters have HAProxy\'s values', async () => {
  const theirs = parse((await get(haproxyPort, '/metrics')).body).samples
  const mine = parse((await get(ourPort, '/metrics')).body).samples
  const same = /^haproxy_(server_(status|check_status|check_code|limit_sessions|queue_limit|weight|check_up_down_total|check_failures_total)|backend_(status|active_servers|backup_servers|weight)|frontend_status)\{/
  let compared = 0
  for (const [key, value] of mine) {
    if (!same.test(key)) continue
    assert.equal(value, theirs.get(key), key)
    compared++
  }
  assert.ok(compared > 50, `${compared} samples compared`)
  assert.equal(mine.get('haproxy_server_check_status{proxy="bk",server="dead",state="L4CON"}'), '1')
})

test('the HTTP answer is text format 0.0.4, HEAD without body', async () => {
  const full = await rawExchange(ourPort, 'GET /metrics HTTP/1.1\r\nHost: a\r\n\r\n', 500)
  assert.match(full, /^HTTP\/1\.1 200 OK\r\ncache-control: no-cache\r\ncontent-type: text\/plain; version=0\.0\.4\r\ncontent-length: \d+\r\n\r\n# HELP /)
  const head = await rawExchange(ourPort, 'HEAD /metrics HTTP/1.1\r\nHost: a\r\n\r\n', 500)
  assert.ok(head.endsWith('\r\n\r\n') && !head.includes('# HELP'))
  // other paths still reach the backend
  assert.equal((await get(ourPort, '/app')).status, 200)
})
