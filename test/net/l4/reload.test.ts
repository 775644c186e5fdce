// `pocketlb vrrp -f` re-reads its keepalived file on SIGHUP (root, namespaces):
// the virtual_servers move in one nft transaction, what stays keeps its state,
// counters and established flows; a broken file is refused and changes nothing.
import { test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { spawnSync } from 'node:child_process'
import { mkdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { L4Lan, VIP, sleep, tally, until } from './topo.ts'

const CHECK = 'TCP_CHECK {\n      connect_timeout 1\n    }'
const rs = (n: number, port = 8080, weight = 1): string => `  real_server 10.88.0.${10 + n} ${port} {\n    weight ${weight}\n    ${CHECK}\n  }\n`
const vs = (port: number, algo: string, servers: string): string =>
  `virtual_server ${VIP} ${port} {\n  delay_loop 1\n  retry 0\n  lb_algo ${algo}\n  protocol TCP\n${servers}}\n`

/** 80: wrr s1 s2; 81: rr s1 s2 s3; 83: a real server nobody answers (down from the start). */
const FIRST = vs(80, 'wrr', rs(1) + rs(2)) + vs(81, 'rr', rs(1) + rs(2) + rs(3)) + vs(83, 'rr', rs(1, 9999) + rs(2))
/** s1 on 80 weighs 3 and s3 joins it; s3 leaves 81; 83 unchanged; 82 is new. */
const SECOND = vs(80, 'wrr', rs(1, 8080, 3) + rs(2) + rs(3)) + vs(81, 'rr', rs(1) + rs(2)) + vs(83, 'rr', rs(1, 9999) + rs(2)) + vs(82, 'rr', rs(2) + rs(3))

let lan: L4Lan
const confFile = (): string => join(lan.dir, 'keepalived.conf')
const DOWN_LINE = `Removing service [10.88.0.11]:tcp:9999 from VS [${VIP}]:tcp:83`

/** Writes <conf> over the runner's file, sends SIGHUP and waits for the line that ends the reload. */
async function reload (conf: string, end: RegExp): Promise<string[]> {
  const from = lan.lines.length
  writeFileSync(confFile(), conf)
  lan.runner!.kill('SIGHUP')
  assert.ok(await until(() => lan.lines.slice(from).some(l => end.test(l)), 15_000), lan.lines.slice(from).join('\n'))
  return lan.lines.slice(from)
}

function counters (): Map<string, number> {
  const doc = JSON.parse(lan.nft(['-j', 'list', 'counters', 'table', 'ip', 'pocketlb_l4']).out) as { nftables: { counter?: { name: string; packets: number } }[] }
  return new Map(doc.nftables.flatMap(o => o.counter ? [[o.counter.name, o.counter.packets] as [string, number]] : []))
}

const chains = (): string[] => [...lan.nft(['list', 'table', 'ip', 'pocketlb_l4']).out.matchAll(/^\tchain (\S+) \{/gm)].map(m => m[1]!).sort()
const tables = (): string[] => lan.nft(['list', 'tables']).out.trim().split('\n').map(l => l.trim())

before(async () => {
  lan = new L4Lan(3)
  lan.vip(true)
  lan.runVrrp(FIRST)
  assert.ok(await until(() => lan.lines.some(l => l.includes('Activated 3 virtual server(s)')), 15_000), lan.lines.join('\n'))
  assert.ok(await until(() => lan.lines.some(l => l.endsWith(DOWN_LINE)), 8000), lan.lines.join('\n'))
})

after(async () => { await lan.destroy() })

test('SIGHUP: servers added, reweighted and removed, a service added, in one transaction; established flow, counters and check states kept', async () => {
  assert.deepEqual(tally(lan.clients('tcp', 80, 10)), { s1: 5, s2: 5 })
  assert.deepEqual(tally(lan.clients('tcp', 81, 9)), { s1: 3, s2: 3, s3: 3 })
  const long = await lan.openFlow(80)
  try {
    const flowsBefore = counters()
    const s1On80 = 'v_10_88_0_100_80_tcp__10_88_0_11_8080__flows'
    assert.ok(flowsBefore.get(s1On80)! >= 5, JSON.stringify([...flowsBefore]))

    const said = await reload(SECOND, /Reload complete/)
    assert.ok(said.some(l => l.endsWith(`service [10.88.0.13]:tcp:8080 no longer exist`)), said.join('\n'))
    assert.ok(said.some(l => l.includes('Reloaded 4 virtual server(s) in nftables table ip pocketlb_l4 (1 new, 0 removed)')), said.join('\n'))
    // nothing that stayed was re-added or re-checked into a flap
    assert.ok(!said.some(l => /Adding service|Removing service/.test(l)), said.join('\n'))

    // distribution follows the new weights: wrr 3:1:1 on 80, rr over two on 81, the new 82
    assert.deepEqual(tally(lan.clients('tcp', 80, 50)), { s1: 30, s2: 10, s3: 10 })
    assert.deepEqual(tally(lan.clients('tcp', 81, 10)), { s1: 5, s2: 5 })
    assert.deepEqual(tally(lan.clients('tcp', 82, 10)), { s2: 5, s3: 5 })
    // the connection opened before the reload still talks to its server
    assert.ok(await long.echo('across-the-reload'), long.lines.join('|'))
    assert.ok(!long.lines.includes('CLOSED'), long.lines.join('|'))

    // counters of kept servers go on from their values (not recreated at 0)
    const after = counters()
    assert.ok(after.get(s1On80)! >= flowsBefore.get(s1On80)! + 30, `${flowsBefore.get(s1On80)} → ${after.get(s1On80)}`)
    assert.equal(after.has('v_10_88_0_100_81_tcp__10_88_0_13_8080__flows'), false, 'the removed server\'s counters are gone')

    // no table or chain left behind: one table, exactly the chains of the new services
    assert.deepEqual(tables(), ['table ip pocketlb_l4'])
    assert.deepEqual(chains().filter(c => c.startsWith('v_')), [
      'v_10_88_0_100_80_tcp', 'v_10_88_0_100_80_tcp__10_88_0_11_8080', 'v_10_88_0_100_80_tcp__10_88_0_12_8080', 'v_10_88_0_100_80_tcp__10_88_0_13_8080',
      'v_10_88_0_100_81_tcp', 'v_10_88_0_100_81_tcp__10_88_0_11_8080', 'v_10_88_0_100_81_tcp__10_88_0_12_8080',
      'v_10_88_0_100_82_tcp', 'v_10_88_0_100_82_tcp__10_88_0_12_8080', 'v_10_88_0_100_82_tcp__10_88_0_13_8080',
      // 83's dead server has no DNAT chain: it stayed down across the reload
      'v_10_88_0_100_83_tcp', 'v_10_88_0_100_83_tcp__10_88_0_12_8080'
    ])
    // the dead server was not restarted as alive: no second removal after a few check rounds
    await sleep(2500)
    assert.equal(lan.lines.filter(l => l.endsWith(DOWN_LINE)).length, 1, lan.lines.join('\n'))
  } finally {
    long.close()
  }
})

test('SIGHUP removing a service: its chains go, keepalived\'s line for it', async () => {
  const said = await reload(SECOND.replace(vs(82, 'rr', rs(2) + rs(3)), ''), /Reload complete/)
  assert.ok(said.some(l => l.endsWith(`Removing Virtual Server [${VIP}]:tcp:82`)), said.join('\n'))
  assert.equal(chains().filter(c => c.startsWith('v_10_88_0_100_82')).length, 0, chains().join(' '))
  assert.deepEqual(lan.clients('tcp', 82, 1), [''])
})

test('SIGHUP with an error in the file: refused with file:line, the rules unchanged, still serving', async () => {
  const rules = lan.nft(['list', 'table', 'ip', 'pocketlb_l4']).out
  const broken = SECOND.replace('  lb_algo rr\n', '  lb_algo rr\n  lb_kindd NAT\n')
  const said = await reload(broken, /Reload refused/)
  assert.ok(said.some(l => /\[ALERT\] \S+keepalived\.conf:\d+: .*lb_kindd/.test(l)), said.join('\n'))
  assert.equal(lan.nft(['list', 'table', 'ip', 'pocketlb_l4']).out, rules)
  assert.deepEqual(tally(lan.clients('tcp', 81, 4)), { s1: 2, s2: 2 })
  // an algorithm the kernel path refuses (the -c check): refused too
  const rules2 = lan.nft(['list', 'table', 'ip', 'pocketlb_l4']).out
  const said2 = await reload(SECOND.replace('lb_algo wrr', 'lb_algo lc'), /Reload refused/)
  assert.ok(said2.some(l => /\[ALERT\] \S+keepalived\.conf:\d+: lb_algo lc refused/.test(l)), said2.join('\n'))
  assert.equal(lan.nft(['list', 'table', 'ip', 'pocketlb_l4']).out, rules2)
  assert.equal(lan.runner!.exitCode, null, 'still running')
})

test('SIGHUP adding a service this kernel refuses (the -c dry run): refused with its file:line, nothing applied', async () => {
  await lan.stopRunner()
  // an `nft` in front of the real one that fails like a kernel without nft_hash (every expression is built in here)
  const fake = join(lan.dir, 'nft-without-jhash')
  mkdirSync(fake)
  const real = spawnSync('sh', ['-c', 'command -v nft'], { encoding: 'utf8' }).stdout.trim()
  writeFileSync(join(fake, 'nft'), `#!/bin/sh\nin=$(cat)\ncase "$in" in *jhash*) echo "Error: Could not process rule: No such file or directory" >&2; exit 1 ;; esac\nprintf '%s\\n' "$in" | exec ${real} "$@"\n`, { mode: 0o755 })
  const base = vs(81, 'rr', rs(1) + rs(2))
  lan.runVrrp(base, [], { ...process.env, PATH: `${fake}:${process.env.PATH ?? ''}` })
  assert.ok(await until(() => lan.lines.some(l => l.includes('Activated 1 virtual server(s)')), 15_000), lan.lines.join('\n'))
  const rules = lan.nft(['list', 'table', 'ip', 'pocketlb_l4']).out
  const said = await reload(base + vs(82, 'sh', rs(1) + rs(2)), /Reload refused/)
  assert.ok(said.some(l => /\[ALERT\] \S+keepalived\.conf:19: virtual_server 10\.88\.0\.100:82: this kernel's nftables refuses its rules \(they need .*jhash/.test(l)), said.join('\n'))
  assert.equal(lan.nft(['list', 'table', 'ip', 'pocketlb_l4']).out, rules)
  assert.deepEqual(tally(lan.clients('tcp', 81, 2)), { s1: 1, s2: 1 })
})
