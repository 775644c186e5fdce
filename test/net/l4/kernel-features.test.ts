import { test, after } from 'node:test'
import assert from 'node:assert/strict'
import { spawn, spawnSync, type ChildProcess } from 'node:child_process'
import { chmodSync, mkdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { L4Lan, VIP } from './topo.ts'

// A kernel that lacks what a service needs. Every nftables expression is built
// into this machine's kernel, so the balancer is given an `nft` in front of the
// real one that answers as a kernel without nft_hash does (ENOENT for the rule
// using jhash) and passes everything else on. -c must name the service and the
// feature; a start must apply nothing at all, not even the services it could carry.

const lan = new L4Lan(1)
after(async () => { await lan.destroy() })

const REAL_NFT = spawnSync('sh', ['-c', 'command -v nft'], { encoding: 'utf8' }).stdout.trim()
const fakeDir = join(lan.dir, 'no-jhash')
mkdirSync(fakeDir)
writeFileSync(join(fakeDir, 'nft'), `#!/bin/sh
input=$(cat)
case "$input" in
  *jhash*) echo "Error: Could not process rule: No such file or directory" >&2; exit 1 ;;
esac
printf '%s\\n' "$input" | exec ${REAL_NFT} "$@"
`)
chmodSync(join(fakeDir, 'nft'), 0o755)
const NO_JHASH = { ...process.env, PATH: `${fakeDir}:${process.env.PATH ?? ''}` }

const service = (port: number, algo: string): string => `virtual_server ${VIP} ${port} {
  delay_loop 1
  lb_algo ${algo}
  real_server 10.88.0.11 8080 {
    weight 1
  }
  real_server 10.88.0.11 8081 {
    weight 1
  }
}
`
// the sh service starts on line 11
const BOTH = service(80, 'rr') + service(82, 'sh')

const exitOf = (p: ChildProcess): Promise<number | null> => new Promise(resolve => p.once('exit', code => resolve(code)))
const tableExists = (): boolean => lan.nft(['list', 'table', 'ip', 'pocketlb_l4']).ok

test('-c names the service the kernel cannot carry, with file:line and the features its rules need', async () => {
  assert.equal(await exitOf(lan.runVrrp(BOTH, ['-c'], NO_JHASH)), 1)
  const out = lan.lines.join('\n')
  assert.match(out, /\[ALERT\] \S+keepalived\.conf:11: virtual_server 10\.88\.0\.100:82: this kernel's nftables refuses its rules \(they need nat \(dnat, masquerade\), fib, ct \(with timeout policies\), jhash\): Error: Could not process rule: No such file or directory/)
  assert.doesNotMatch(out, /10\.88\.0\.100:80:/, 'the rr service is not blamed')
  assert.ok(out.includes('Fatal errors found in configuration.'))
  // the same kernel carries the rr service alone
  assert.equal(await exitOf(lan.runVrrp(service(80, 'rr'), ['-c'], NO_JHASH)), 0, lan.lines.join('\n'))
  assert.ok(lan.lines.includes('Configuration file is valid'))
  assert.equal(tableExists(), false)
  lan.runner = null
})

test('a start on that kernel applies nothing: no table, not even the service it could carry', async () => {
  assert.equal(await exitOf(lan.runVrrp(BOTH, [], NO_JHASH)), 1)
  assert.match(lan.lines.join('\n'), /virtual_server: nftables refused the ruleset, nothing applied: Error: Could not process rule/)
  assert.equal(tableExists(), false)
  assert.deepEqual(lan.clients('tcp', 80, 1), [''])
  lan.runner = null
})

test('pocketlb -f haproxy.cfg --vrrp keepalived.conf -c dry-runs the virtual_servers in the kernel too', async () => {
  const cfg = join(lan.dir, 'haproxy.cfg')
  writeFileSync(cfg, 'defaults\n  mode tcp\n  timeout connect 1s\n  timeout client 5s\n  timeout server 5s\nlisten l\n  bind 127.0.0.1:8000\n  server s1 127.0.0.1:9\n')
  const ka = join(lan.dir, 'keepalived.conf')
  const check = async (conf: string): Promise<{ code: number | null; out: string }> => {
    writeFileSync(ka, conf)
    const p = spawn('ip', ['netns', 'exec', lan.ns('lb'), process.execPath, '--import', 'tsx', 'src/main.ts', '-f', cfg, '--vrrp', ka, '-c'],
      { stdio: ['ignore', 'pipe', 'pipe'], env: NO_JHASH })
    let out = ''
    for (const s of [p.stdout!, p.stderr!]) s.on('data', (b: Buffer) => { out += b.toString() })
    return { code: await exitOf(p), out }
  }
  const bad = await check(BOTH)
  assert.equal(bad.code, 1, bad.out)
  assert.match(bad.out, /keepalived\.conf:11: virtual_server 10\.88\.0\.100:82: this kernel's nftables refuses its rules/)
  const good = await check(service(80, 'rr'))
  assert.equal(good.code, 0, good.out)
  assert.match(good.out, /Configuration file is valid/)
  assert.equal(tableExists(), false)
})
