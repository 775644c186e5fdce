import { test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { CLIENT_EXTRA, L4Lan, VIP, sh, sleep, tally, until } from './topo.ts'

const CHECK = 'TCP_CHECK {\n      connect_timeout 1\n      connect_port 8080\n    }'
const rs = (n: number, extra = ''): string => `  real_server 10.88.0.${10 + n} 8080 {\n${extra}    ${CHECK}\n  }\n`
/** MISC_CHECK misc_dynamic whose exit status is read from the file w<n> (0 up, 1 down, 2..255 weight status − 2) */
const scripted = (n: number, extra = ''): string => `  real_server 10.88.0.${10 + n} 8080 {
${extra}    MISC_CHECK {
      misc_path "exit $(cat ${join(lan.dir, `w${n}`)})"
      misc_dynamic
    }
  }
`
const conf = (): string => `virtual_server ${VIP} 80 {
  delay_loop 1
  retry 1
  delay_before_retry 1
  lb_algo rr
  protocol TCP
${rs(1)}${rs(2)}${rs(3)}}
virtual_server ${VIP} 81 {
  lb_algo wrr
${rs(1, '    weight 3\n')}${rs(2, '    weight 1\n')}}
virtual_server ${VIP} 82 {
  lb_algo sh
${rs(1)}${rs(2)}${rs(3)}}
virtual_server ${VIP} 83 {
  lb_algo rr
  persistence_timeout 30
${rs(1)}${rs(2)}${rs(3)}}
virtual_server ${VIP} 53 {
  lb_algo rr
  protocol UDP
  real_server 10.88.0.11 5353 {
    ${CHECK}
  }
  real_server 10.88.0.12 5353 {
    ${CHECK}
  }
}
virtual_server ${VIP} 84 {
  delay_loop 1
  lb_algo wrr
${scripted(1)}${scripted(2)}}
virtual_server ${VIP} 85 {
  delay_loop 1
  lb_algo rr
  sorry_server 10.88.0.12 8080
${scripted(3, '    inhibit_on_failure\n')}}
`

let lan: L4Lan

before(async () => {
  lan = new L4Lan(3)
  lan.vip(true)
  for (const n of [1, 2]) writeFileSync(join(lan.dir, `w${n}`), '3\n')
  writeFileSync(join(lan.dir, 'w3'), '0\n')
  lan.runVrrp(conf())
  assert.ok(await until(() => lan.lines.some(l => l.includes('Activated 7 virtual server(s)')), 15_000), lan.lines.join('\n'))
})

after(async () => { await lan.destroy() })

function counters (): Map<string, number> {
  const doc = JSON.parse(lan.nft(['-j', 'list', 'counters', 'table', 'ip', 'pocketlb_l4']).out) as { nftables: { counter?: { name: string; packets: number } }[] }
  return new Map(doc.nftables.flatMap(o => o.counter ? [[o.counter.name, o.counter.packets] as [string, number]] : []))
}

test('rr and wrr spread new TCP connections exactly by turn and weight; the flow counters agree', () => {
  assert.deepEqual(tally(lan.clients('tcp', 80, 30)), { s1: 10, s2: 10, s3: 10 })
  assert.deepEqual(tally(lan.clients('tcp', 81, 40)), { s1: 30, s2: 10 })
  const c = counters()
  for (const n of [11, 12, 13]) assert.equal(c.get(`v_10_88_0_100_80_tcp__10_88_0_${n}_8080__flows`), 10)
  assert.ok(c.get('v_10_88_0_100_80_tcp__10_88_0_11_8080__traffic')! >= 10 * 5, 'traffic counted both ways for every packet of the flows')
})

test('closed balanced TCP flows keep their conntrack entry (and masquerade port) 10 s in TIME_WAIT, by a policy on them only', async () => {
  assert.equal(lan.clients('tcp', 80, 3).filter(Boolean).length, 3)
  // "ipv4 2 tcp 6 <seconds left> TIME_WAIT src=... dst=... sport=... dport=... src=... dst=..."
  const timeWait = (): { left: number; line: string }[] => sh(['ip', 'netns', 'exec', lan.ns('lb'), 'cat', '/proc/net/nf_conntrack']).split('\n')
    .filter(l => / TIME_WAIT /.test(l)).map(line => ({ left: Number(line.split(/\s+/)[4]), line }))
  let entries = timeWait()
  assert.ok(await until(() => { entries = timeWait(); return entries.some(e => e.line.includes(`dst=${VIP} `)) }, 3000), entries.map(e => e.line).join('\n'))
  const balanced = entries.filter(e => e.line.includes(`dst=${VIP} `))
  assert.ok(balanced.every(e => e.left <= 10), balanced.map(e => e.line).join('\n'))
  // a policy on our flows only: the namespace's default is untouched
  assert.equal(sh(['ip', 'netns', 'exec', lan.ns('lb'), 'cat', '/proc/sys/net/netfilter/nf_conntrack_tcp_timeout_time_wait']).trim(), '120')
})

test('UDP flows are balanced round robin', () => {
  assert.deepEqual(tally(lan.clients('udp', 53, 20)), { s1: 10, s2: 10 })
})

test('sh keeps every client address on one server and spreads addresses', () => {
  const seen = new Set<string>()
  for (const a of CLIENT_EXTRA) {
    const got = tally(lan.clients('tcp', 82, 4, [a]))
    assert.equal(Object.keys(got).length, 1, `${a}: ${JSON.stringify(got)}`)
    seen.add(Object.keys(got)[0]!)
  }
  assert.ok(seen.size >= 2, `8 addresses over 3 servers: ${[...seen].join(',')}`)
})

test('persistence_timeout keeps a client on its server while rr moves the others', () => {
  const firsts = CLIENT_EXTRA.slice(0, 3).map(a => lan.clients('tcp', 83, 1, [a])[0]!)
  assert.deepEqual(new Set(firsts).size, 3, 'first connections go round robin')
  for (let i = 0; i < 3; i++) assert.deepEqual(tally(lan.clients('tcp', 83, 5, [CLIENT_EXTRA[i]!])), { [firsts[i]!]: 5 })
})

test('a killed backend is taken out within delay_loop + retry x delay_before_retry; an established flow to another server survives; back on recovery', async () => {
  const long = await lan.openFlow(80)
  try {
    const mine = long.server
    const victim = mine === 's1' ? 2 : 1
    const t0 = performance.now()
    await lan.killBackend(victim)
    assert.ok(await until(() => lan.lines.some(l => l.includes(`Removing service [10.88.0.${10 + victim}]:tcp:8080 from VS [${VIP}]:tcp:80`)), 8000), lan.lines.join('\n'))
    const took = performance.now() - t0
    // delay_loop 1 + retry 1 x (delay_before_retry 1) + connect_timeout 1, plus scheduling slack
    assert.ok(took < 4500, `taken out after ${Math.round(took)} ms`)
    const after = tally(lan.clients('tcp', 80, 12))
    assert.equal(after[`s${victim}`], undefined, JSON.stringify(after))
    assert.equal(after[''], undefined, 'no failed connection once the server is out')
    assert.ok(await long.echo('still-here'), `established flow to ${mine} survived: ${long.lines.join('|')}`)
    lan.startBackend(victim)
    assert.ok(await until(() => lan.lines.some(l => l.includes(`Adding service [10.88.0.${10 + victim}]:tcp:8080 to VS [${VIP}]:tcp:80`)), 6000), lan.lines.join('\n'))
    assert.equal(tally(lan.clients('tcp', 80, 30))[`s${victim}`], 10)
    assert.ok(await long.echo('after-recovery'), long.lines.join('|'))
  } finally {
    long.close()
  }
})

test('misc_dynamic reweights a real server in the kernel: new flows follow the new weights, the established flow on it survives up, to weight 0 and out', async () => {
  const chain = (): string => lan.nft(['list', 'chain', 'ip', 'pocketlb_l4', 'v_10_88_0_100_84_tcp']).out
  assert.deepEqual(tally(lan.clients('tcp', 84, 10)), { s1: 5, s2: 5 })
  const long = await lan.openFlow(84)
  try {
    const mine = Number(long.server.slice(1))
    const other = `s${3 - mine}`
    const tagOf = `[10.88.0.${10 + mine}]:tcp:8080 of VS [${VIP}]:tcp:84`
    // exit status 5: weight 3
    writeFileSync(join(lan.dir, `w${mine}`), '5\n')
    assert.ok(await until(() => lan.lines.some(l => l.includes(`Changing weight from 1 to 3 for service ${tagOf}`)), 5000), lan.lines.join('\n'))
    assert.ok(await until(() => chain().includes('numgen inc mod 4'), 3000), chain())
    assert.deepEqual(tally(lan.clients('tcp', 84, 40)), { [long.server]: 30, [other]: 10 })
    assert.ok(await long.echo('after-reweight'), long.lines.join('|'))
    // exit status 2: up with weight 0, no new flow; the established one stays
    writeFileSync(join(lan.dir, `w${mine}`), '2\n')
    assert.ok(await until(() => lan.lines.some(l => l.includes(`Changing weight from 3 to 0 for service ${tagOf}`)), 5000), lan.lines.join('\n'))
    assert.ok(await until(() => !chain().includes('numgen'), 3000), chain())
    assert.deepEqual(tally(lan.clients('tcp', 84, 6)), { [other]: 6 })
    assert.ok(await long.echo('at-weight-0'), long.lines.join('|'))
    // exit status 1: down and removed; still the same established flow
    writeFileSync(join(lan.dir, `w${mine}`), '1\n')
    assert.ok(await until(() => lan.lines.some(l => l.includes(`Removing service [10.88.0.${10 + mine}]:tcp:8080 from VS [${VIP}]:tcp:84`)), 5000), lan.lines.join('\n'))
    assert.ok(await long.echo('after-removal'), long.lines.join('|'))
    assert.ok(!long.lines.includes('CLOSED'), long.lines.join('|'))
  } finally {
    long.close()
  }
})

test('inhibit_on_failure: a failed server is disabled, not removed; sorry_server takes the new flows while no real server is usable, until it is back', async () => {
  const chain = (): string => lan.nft(['list', 'chain', 'ip', 'pocketlb_l4', 'v_10_88_0_100_85_tcp']).out
  assert.deepEqual(tally(lan.clients('tcp', 85, 3)), { s3: 3 })
  writeFileSync(join(lan.dir, 'w3'), '1\n')
  assert.ok(await until(() => lan.lines.some(l => l.includes(`Disabling service [10.88.0.13]:tcp:8080 from VS [${VIP}]:tcp:85`)), 5000), lan.lines.join('\n'))
  assert.ok(await until(() => chain().includes('goto v_10_88_0_100_85_tcp__sorry'), 3000), chain())
  assert.deepEqual(tally(lan.clients('tcp', 85, 3)), { s2: 3 })
  writeFileSync(join(lan.dir, 'w3'), '0\n')
  assert.ok(await until(() => lan.lines.some(l => l.includes(`Enabling service [10.88.0.13]:tcp:8080 to VS [${VIP}]:tcp:85`)), 5000), lan.lines.join('\n'))
  assert.ok(await until(() => !chain().includes('__sorry'), 3000), chain())
  assert.deepEqual(tally(lan.clients('tcp', 85, 3)), { s3: 3 })
})

test('the services follow the VIP: not balanced while this node does not hold it, even when routed here', async () => {
  sh(['ip', '-n', lan.ns('cl'), 'route', 'replace', `${VIP}/32`, 'via', '10.88.0.1'])
  lan.vip(false)
  try {
    assert.deepEqual(lan.clients('tcp', 80, 3), ['', '', ''])
  } finally {
    lan.vip(true)
  }
  await sleep(100)
  assert.deepEqual(Object.values(tally(lan.clients('tcp', 80, 3))), [1, 1, 1])
})

test('stop deletes the table and nothing else', async () => {
  sh(['ip', 'netns', 'exec', lan.ns('lb'), 'nft', 'add table inet plbl4_other'])
  assert.equal(await lan.stopRunner(), 0)
  assert.equal(lan.nft(['list', 'table', 'ip', 'pocketlb_l4']).ok, false)
  assert.equal(lan.nft(['list', 'table', 'inet', 'plbl4_other']).ok, true)
  assert.deepEqual(lan.clients('tcp', 80, 1), [''])
})

test('-c: lc refused with file:line and why; a valid configuration passes the kernel dry run', async () => {
  const exit = (p: ReturnType<L4Lan['runVrrp']>): Promise<number | null> => new Promise(resolve => p.once('exit', code => resolve(code)))
  const bad = lan.runVrrp(`virtual_server ${VIP} 80 {\n  delay_loop 1\n  lb_algo lc\n${rs(1)}}\n`, ['-c'])
  assert.equal(await exit(bad), 1)
  assert.match(lan.lines.join('\n'), /\[ALERT\] \S+keepalived\.conf:3: lb_algo lc refused: least-connection scheduling needs the number of active connections/)
  const good = lan.runVrrp(conf(), ['-c'])
  assert.equal(await exit(good), 0, lan.lines.join('\n'))
  assert.ok(lan.lines.includes('Configuration file is valid'))
  assert.equal(lan.nft(['list', 'table', 'ip', 'pocketlb_l4']).ok, false, 'the dry run applied nothing')
  lan.runner = null
})
