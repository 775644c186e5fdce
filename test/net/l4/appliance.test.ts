import { test, after } from 'node:test'
import assert from 'node:assert/strict'
import { spawn, spawnSync, type ChildProcess } from 'node:child_process'
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { L4Lan, VIP, tally, until } from './topo.ts'

// The appliance form: `pocketlb -f haproxy.cfg --vrrp keepalived.conf` programs
// the keepalived file's virtual_servers in the kernel beside the proxy, and the
// proxy's runtime API (`show l4`, `show l4 json`) and its stats page show them.

const lan = new L4Lan(2)
let plb: ChildProcess | null = null
after(async () => {
  if (plb !== null && plb.exitCode === null) plb.kill('SIGKILL')
  await lan.destroy()
})

const sock = join(lan.dir, 'admin.sock')

/** Runs <js> (argv: <args>) with node inside the balancer's namespace; its stdout. */
function inLb (js: string, ...args: string[]): string {
  return spawnSync('ip', ['netns', 'exec', lan.ns('lb'), process.execPath, '-e', js, ...args], { encoding: 'utf8', timeout: 10_000 }).stdout
}

/** One runtime API command over the stats socket. */
const cli = (cmd: string): string =>
  inLb(`const s=require('net').connect(process.argv[1]);let o='';s.on('data',d=>o+=d);s.on('end',()=>{process.stdout.write(o)});s.write(process.argv[2]+'\\n')`, sock, cmd)

/** The stats page (HTML, or its CSV export with ";csv"). */
const statsPage = (suffix = ''): string =>
  inLb(`require('http').get(process.argv[1],r=>{let o='';r.on('data',d=>o+=d);r.on('end',()=>process.stdout.write(o))})`, `http://127.0.0.1:8001/stats${suffix}`)

/** Packets and bytes per real server in the stats page's layer-4 section. */
function l4Rows (page: string): Map<string, { packets: number; bytes: number }> {
  const out = new Map<string, { packets: number; bytes: number }>()
  for (const m of page.matchAll(/<tr class="active_up"><td>(10\.88\.0\.1\d:8080)<\/td><td>UP<\/td><td>1\/1<\/td><td>\d+<\/td><td>(\d+)<\/td><td>(\d+)<\/td>/g)) {
    out.set(m[1]!, { packets: Number(m[2]), bytes: Number(m[3]) })
  }
  return out
}

test('virtual_servers start beside the proxy, balance, and show in `show l4` and `show l4 json`', async () => {
  lan.vip(true)
  const haproxyCfg = join(lan.dir, 'haproxy.cfg')
  const kaCfg = join(lan.dir, 'keepalived.conf')
  writeFileSync(haproxyCfg, `global\n  stats socket ${sock} level admin\ndefaults\n  mode http\n  timeout connect 1s\n  timeout client 5s\n  timeout server 5s\n` +
    'frontend f\n  bind 127.0.0.1:8000\n  default_backend b\nbackend b\n  server s1 127.0.0.1:9\n' +
    'listen stats\n  bind 127.0.0.1:8001\n  stats enable\n  stats uri /stats\n')
  writeFileSync(kaCfg, `virtual_server ${VIP} 80 {\n  delay_loop 1\n  lb_algo rr\n  protocol TCP\n` +
    [11, 12].map(n => `  real_server 10.88.0.${n} 8080 {\n    TCP_CHECK {\n      connect_timeout 1\n    }\n  }\n`).join('') + '}\n')
  const lines: string[] = []
  plb = spawn('ip', ['netns', 'exec', lan.ns('lb'), process.execPath, '--import', 'tsx', 'src/main.ts', '-f', haproxyCfg, '--vrrp', kaCfg],
    { stdio: ['ignore', 'pipe', 'pipe'] })
  for (const s of [plb.stdout!, plb.stderr!]) s.on('data', (b: Buffer) => lines.push(...b.toString().split('\n').filter(Boolean)))
  assert.ok(await until(() => lan.nft(['list', 'table', 'ip', 'pocketlb_l4']).ok && cli('show l4').includes('UP'), 20_000), lines.join('\n'))

  assert.deepEqual(Object.values(tally(lan.clients('tcp', 80, 4))), [2, 2])
  // the snapshot is refreshed every 2 s: wait for the flows just made
  assert.ok(await until(() => /flows [1-9]/.test(cli('show l4')), 5000), cli('show l4'))
  const text = cli('show l4')
  assert.match(text, new RegExp(`TCP ${VIP.replace(/\./g, '\\.')}:80 lb_algo rr lb_kind NAT`))
  assert.equal(text.match(/real_server 10\.88\.0\.1[12]:8080 UP/g)?.length, 2)
  const json = JSON.parse(cli('show l4 json')) as Record<string, unknown>[]
  // the shape the web UI reads (documented in runtime/l4-commands.ts)
  assert.deepEqual(Object.keys(json[0]!), ['name', 'kind', 'protocol', 'algo', 'addresses', 'persistenceTimeout', 'sorryServer', 'sorryActive', 'realServers'])
  const real = json[0]!.realServers as Record<string, unknown>[]
  assert.deepEqual(Object.keys(real[0]!), ['addr', 'port', 'weight', 'effectiveWeight', 'up', 'inhibited', 'checks', 'flows', 'packets', 'bytes'])
  assert.deepEqual(Object.keys((real[0]!.checks as object[])[0]!), ['checker', 'up', 'lastStatus', 'lastInfo'])
  assert.deepEqual(real.map(r => [r.addr, r.up, r.effectiveWeight]), [['10.88.0.11', true, 1], ['10.88.0.12', true, 1]])
})

test('the stats page has a layer-4 section with packets and bytes per real server from the nft counters, growing with traffic; show stat stays HAProxy\'s', async () => {
  const page = statsPage()
  assert.match(page, /<h2>Layer 4 in the kernel \(keepalived virtual_server on nftables\)<\/h2>/)
  assert.match(page, /pocketlb&#39;s own section, not HAProxy&#39;s/)
  const before = l4Rows(page)
  assert.deepEqual([...before.keys()].sort(), ['10.88.0.11:8080', '10.88.0.12:8080'], page)
  for (const [rs, c] of before) assert.ok(c.packets > 0 && c.bytes > 0, `${rs}: ${JSON.stringify(c)}`)
  assert.deepEqual(Object.values(tally(lan.clients('tcp', 80, 6))), [3, 3])
  // each server had 3 more flows of at least 3 packets; the page's snapshot is read every 2 s, maybe mid-traffic
  let now = before
  assert.ok(await until(() => { now = l4Rows(statsPage()); return [...now].every(([rs, c]) => c.packets >= before.get(rs)!.packets + 3 * 3) }, 6000),
    `${JSON.stringify([...before])} -> ${JSON.stringify([...now])}`)
  for (const [rs, c] of now) assert.ok(c.bytes > before.get(rs)!.bytes, rs)
  // HAProxy's own views: no layer-4 rows
  for (const text of [statsPage(';csv'), cli('show stat')]) {
    assert.match(text, /^# pxname,svname,/)
    assert.doesNotMatch(text, /10\.88\.0\.1[12]:8080|10\.88\.0\.100/)
  }
})

test('stop removes the table', async () => {
  const exit = new Promise<number | null>(resolve => plb!.once('exit', code => resolve(code)))
  plb!.kill('SIGTERM')
  assert.equal(await exit, 0)
  assert.equal(lan.nft(['list', 'table', 'ip', 'pocketlb_l4']).ok, false, 'table removed at stop')
})
