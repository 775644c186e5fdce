// The appliance's reload (root, namespaces): `pocketlb -f haproxy.cfg --vrrp keepalived.conf`
// started with no virtual_server; a reload (SIGHUP, or `reload` on the stats socket)
// re-reads the keepalived file too: services appear (the table is created), change,
// and go (the table is deleted); a broken keepalived file refuses the whole reload.
import { test, after } from 'node:test'
import assert from 'node:assert/strict'
import { spawn, type ChildProcess } from 'node:child_process'
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { L4Lan, VIP, sleep, tally, until } from './topo.ts'
import { cli, configHead } from '../../e2e/runtime/helpers.ts'

const lan = new L4Lan(2)
let plb: ChildProcess | null = null
const lines: string[] = []
after(async () => {
  if (plb !== null && plb.exitCode === null) {
    const gone = new Promise(resolve => plb!.once('exit', resolve))
    plb.kill('SIGTERM')
    await gone
  }
  await lan.destroy()
})

const sock = join(lan.dir, 'admin.sock')
const haproxyCfg = join(lan.dir, 'haproxy.cfg')
const kaCfg = join(lan.dir, 'keepalived.conf')
const service = (servers: number[]): string => `virtual_server ${VIP} 80 {\n  delay_loop 1\n  lb_algo rr\n  protocol TCP\n` +
  servers.map(n => `  real_server 10.88.0.${n} 8080 {\n    TCP_CHECK {\n      connect_timeout 1\n    }\n  }\n`).join('') + '}\n'
/** the keepalived file of a node with no virtual_server (yet) */
const NO_SERVICE = 'global_defs {\n  router_id lb\n}\n'

/** Rewrites the keepalived file with <conf>, reloads through the stats socket, returns its answer. */
async function reload (conf: string): Promise<string> {
  writeFileSync(kaCfg, conf)
  return cli(sock, 'reload')
}
/** Polls the async <cond> every 100 ms until true or <ms> elapsed. */
async function eventually (cond: () => Promise<boolean>, ms: number): Promise<boolean> {
  const end = performance.now() + ms
  while (performance.now() < end) { if (await cond()) return true; await sleep(100) }
  return cond()
}
const table = (): boolean => lan.nft(['list', 'table', 'ip', 'pocketlb_l4']).ok
const realServers = async (): Promise<string[]> =>
  (JSON.parse(await cli(sock, 'show l4 json')) as { realServers: { addr: string; up: boolean }[] }[]).flatMap(s => s.realServers.map(r => `${r.addr} ${r.up ? 'UP' : 'DOWN'}`))

test('appliance: a reload adds the first virtual_server (table created), changes it, removes it (table gone); a broken file refuses the whole reload', async () => {
  lan.vip(true)
  writeFileSync(haproxyCfg, `${configHead(sock, 'http')}frontend f\n  bind 127.0.0.1:8000\n  default_backend b\nbackend b\n  server s1 127.0.0.1:9\n`)
  writeFileSync(kaCfg, NO_SERVICE)
  plb = spawn('ip', ['netns', 'exec', lan.ns('lb'), process.execPath, '--import', 'tsx', 'src/main.ts', '-f', haproxyCfg, '--vrrp', kaCfg], { stdio: ['ignore', 'pipe', 'pipe'] })
  for (const s of [plb.stdout!, plb.stderr!]) s.on('data', (b: Buffer) => lines.push(...b.toString().split('\n').filter(Boolean)))
  // up once VRRP is attached (`show vrrp` answers its header, with no instance)
  assert.ok(await eventually(async () => (await cli(sock, 'show vrrp').catch(() => '')).startsWith('# name'), 20_000), lines.join('\n'))
  assert.match(await cli(sock, 'show l4'), /no virtual_server configured/)
  assert.equal(table(), false, 'no service, no table')

  let answer = await reload(service([11]))
  assert.match(answer, /^Success=1\n/, answer)
  assert.ok(table())
  assert.deepEqual(tally(lan.clients('tcp', 80, 3)), { s1: 3 })
  assert.ok(await eventually(async () => (await realServers()).join() === '10.88.0.11 UP', 5000), await cli(sock, 'show l4'))

  answer = await reload(service([11, 12]))
  assert.match(answer, /^Success=1\n/, answer)
  // `show l4` has the new server as soon as the reload answered (it starts up, as in keepalived)
  assert.deepEqual(await realServers(), ['10.88.0.11 UP', '10.88.0.12 UP'])
  assert.deepEqual(tally(lan.clients('tcp', 80, 4)), { s1: 2, s2: 2 })

  // an error in the keepalived file: refused as a whole, with its file:line; the services stay
  const rules = lan.nft(['list', 'ruleset']).out
  answer = await reload(service([11]).replace('lb_algo rr', 'lb_algo rr\n  delay_lop 1'))
  assert.match(answer, /^Success=0\n--\n/, answer)
  assert.match(answer, /keepalived\.conf:4: Unknown keyword 'delay_lop'/, answer)
  assert.equal(lan.nft(['list', 'ruleset']).out, rules)
  assert.deepEqual(tally(lan.clients('tcp', 80, 2)), { s1: 1, s2: 1 })

  // SIGHUP with no virtual_server left: the table goes
  writeFileSync(kaCfg, NO_SERVICE)
  plb.kill('SIGHUP')
  assert.ok(await until(() => lines.some(l => l.includes(`Removing Virtual Server [${VIP}]:tcp:80`)), 5000), lines.join('\n'))
  assert.equal(table(), false)
  assert.equal(plb.exitCode, null)
})
