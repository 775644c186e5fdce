import { test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { spawn } from 'node:child_process'
import { createInterface } from 'node:readline'
import { CLIENT_EXTRA, L4Lan, VIP, sh, sleep, tally, until } from './topo.ts'

const CHECK = 'TCP_CHECK {\n      connect_timeout 1\n      connect_port 8080\n    }'
const rs = (n: number, extra = ''): string => `  real_server 10.88.0.${10 + n} 8080 {\n${extra}    ${CHECK}\n  }\n`
const CONF = `virtual_server ${VIP} 80 {
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
`

let lan: L4Lan

before(async () => {
  lan = new L4Lan(3)
  lan.vip(true)
  lan.runVrrp(CONF)
  assert.ok(await until(() => lan.lines.some(l => l.includes('Activated 5 virtual server(s)')), 15_000), lan.lines.join('\n'))
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
  // a long-lived connection through the VIP: lines written on stdin come back echoed
  const long = spawn('ip', ['netns', 'exec', lan.ns('cl'), process.execPath, '-e', `const s = require('net').connect(80, '${VIP}');
    s.on('error', e => { console.log('ERR ' + e.message) }); s.on('close', () => console.log('CLOSED'));
    s.on('data', d => process.stdout.write(String(d))); process.stdin.on('data', d => s.write(d)); process.stdin.on('end', () => s.end())`], { stdio: ['pipe', 'pipe', 'inherit'] })
  const lines: string[] = []
  createInterface({ input: long.stdout! }).on('line', l => lines.push(l))
  try {
    assert.ok(await until(() => lines.length > 0, 5000))
    const mine = lines[0]!
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
    long.stdin!.write('still-here\n')
    assert.ok(await until(() => lines.includes('still-here'), 3000), `established flow to ${mine} survived: ${lines.join('|')}`)
    lan.startBackend(victim)
    assert.ok(await until(() => lan.lines.some(l => l.includes(`Adding service [10.88.0.${10 + victim}]:tcp:8080 to VS [${VIP}]:tcp:80`)), 6000), lan.lines.join('\n'))
    assert.equal(tally(lan.clients('tcp', 80, 30))[`s${victim}`], 10)
    long.stdin!.write('after-recovery\n')
    assert.ok(await until(() => lines.includes('after-recovery'), 3000))
  } finally {
    long.kill('SIGKILL')
  }
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
  const good = lan.runVrrp(CONF, ['-c'])
  assert.equal(await exit(good), 0, lan.lines.join('\n'))
  assert.ok(lan.lines.includes('Configuration file is valid'))
  assert.equal(lan.nft(['list', 'table', 'ip', 'pocketlb_l4']).ok, false, 'the dry run applied nothing')
  lan.runner = null
})
