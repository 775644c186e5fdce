import { test, after } from 'node:test'
import assert from 'node:assert/strict'
import { spawn, spawnSync, type ChildProcess } from 'node:child_process'
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { L4Lan, VIP, tally, until } from './topo.ts'

// The appliance form: `pocketlb -f haproxy.cfg --vrrp keepalived.conf` programs
// the keepalived file's virtual_servers in the kernel beside the proxy, and the
// proxy's runtime API shows them (`show l4`, `show l4 json`).

const lan = new L4Lan(2)
let plb: ChildProcess | null = null
after(async () => {
  if (plb !== null && plb.exitCode === null) plb.kill('SIGKILL')
  await lan.destroy()
})

const sock = join(lan.dir, 'admin.sock')

/** One runtime API command over the stats socket, run inside the balancer's namespace. */
function cli (cmd: string): string {
  const js = `const s=require('net').connect(process.argv[1]);let o='';s.on('data',d=>o+=d);s.on('end',()=>{process.stdout.write(o)});s.write(process.argv[2]+'\\n')`
  return spawnSync('ip', ['netns', 'exec', lan.ns('lb'), process.execPath, '-e', js, sock, cmd], { encoding: 'utf8', timeout: 10_000 }).stdout
}

test('virtual_servers start beside the proxy, balance, show in `show l4`, and go at stop', async () => {
  lan.vip(true)
  const haproxyCfg = join(lan.dir, 'haproxy.cfg')
  const kaCfg = join(lan.dir, 'keepalived.conf')
  writeFileSync(haproxyCfg, `global\n  stats socket ${sock} level admin\ndefaults\n  mode http\n  timeout connect 1s\n  timeout client 5s\n  timeout server 5s\n` +
    'frontend f\n  bind 127.0.0.1:8000\n  default_backend b\nbackend b\n  server s1 10.88.0.11:8080\n')
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
  assert.match(text, new RegExp(`TCP ${VIP.replace(/\./g, '\\.')}:80 lb_algo rr`))
  assert.equal(text.match(/real_server 10\.88\.0\.1[12]:8080 UP/g)?.length, 2)
  const json = JSON.parse(cli('show l4 json')) as { realServers: { up: boolean }[] }[]
  assert.deepEqual(json[0]?.realServers.map(r => r.up), [true, true])

  const exit = new Promise<number | null>(resolve => plb!.once('exit', code => resolve(code)))
  plb.kill('SIGTERM')
  assert.equal(await exit, 0)
  assert.equal(lan.nft(['list', 'table', 'ip', 'pocketlb_l4']).ok, false, 'table removed at stop')
})
