import { test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { spawn, spawnSync } from 'node:child_process'
import { chmodSync, mkdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { createInterface } from 'node:readline'
import { CLIENT_EXTRA, L4Lan, VIP, sh, sleep, tally, until } from './topo.ts'

// lb_kind DR: the balancer only re-addresses the client's frames to a real
// server's MAC (nftables netdev ingress, `fwd`); the real servers hold the VIP
// on lo without answering ARP for it and reply to the client directly.

const CHECK = 'TCP_CHECK {\n      connect_timeout 1\n    }'
const rs = (n: number, port = 8080, extra = ''): string => `  real_server 10.88.0.${10 + n} ${port} {\n${extra}    ${CHECK}\n  }\n`
const service = (port: number, algo: string, body: string, proto = 'TCP'): string =>
  `virtual_server ${VIP} ${port} {\n  delay_loop 1\n  retry 1\n  delay_before_retry 1\n  lb_algo ${algo}\n  lb_kind DR\n  protocol ${proto}\n${body}}\n`
/** VIPs of the wrr and sh services (same port: DR cannot change it) */
const WRR_VIP = '10.88.0.101'
const SH_VIP = '10.88.0.102'
const STICKY_VIP = '10.88.0.103'
const CONF = service(8080, 'rr', rs(1) + rs(2) + rs(3)) +
  `virtual_server ${WRR_VIP} 8080 {\n  lb_algo wrr\n  lb_kind DR\n${rs(1, 8080, '    weight 3\n')}${rs(2)}}\n` +
  `virtual_server ${SH_VIP} 8080 {\n  lb_algo sh\n  lb_kind DR\n${rs(1)}${rs(2)}${rs(3)}}\n` +
  `virtual_server ${STICKY_VIP} 8080 {\n  lb_algo rr\n  lb_kind DR\n  persistence_timeout 30\n${rs(1)}${rs(2)}${rs(3)}}\n` +
  service(5353, 'rr', rs(1, 5353).replace(CHECK, 'TCP_CHECK {\n      connect_port 8080\n    }') + rs(2, 5353).replace(CHECK, 'TCP_CHECK {\n      connect_port 8080\n    }'), 'UDP')

let lan: L4Lan

before(async () => {
  lan = new L4Lan(3, { dr: true, secondBalancer: true })
  lan.vip(true)
  // the wrr and sh VIPs, held like the first
  for (const v of [WRR_VIP, SH_VIP, STICKY_VIP]) {
    sh(['ip', '-n', lan.ns('lb'), 'addr', 'add', `${v}/32`, 'dev', 'eth0'])
    for (let i = 1; i <= 3; i++) sh(['ip', '-n', lan.ns(`s${i}`), 'addr', 'add', `${v}/32`, 'dev', 'lo'])
  }
  // DR sends frames from netdev ingress: the balancer needs no IP forwarding, and pocketlb leaves it off
  sh(['ip', 'netns', 'exec', lan.ns('lb'), 'sysctl', '-qw', 'net.ipv4.ip_forward=0'])
  lan.runVrrp(CONF)
  assert.ok(await until(() => lan.lines.some(l => l.includes('Activated 5 virtual server(s)')), 15_000), lan.lines.join('\n'))
  assert.equal(sh(['ip', 'netns', 'exec', lan.ns('lb'), 'sysctl', '-n', 'net.ipv4.ip_forward']).trim(), '0')
})

after(async () => { await lan.destroy() })

/** Named counters of the DR table: name → [packets, bytes]. */
function counters (): Map<string, [number, number]> {
  const r = lan.nft(['-j', 'list', 'counters', 'table', 'netdev', 'pocketlb_dr'])
  assert.ok(r.ok, r.out)
  const doc = JSON.parse(r.out) as { nftables: { counter?: { name: string; packets: number; bytes: number } }[] }
  return new Map(doc.nftables.flatMap(o => o.counter ? [[o.counter.name, [o.counter.packets, o.counter.bytes]] as [string, [number, number]]] : []))
}
const K = 'v_10_88_0_100_8080_tcp'
const sumOf = (c: Map<string, [number, number]>, suffix: string, i: 0 | 1): number =>
  [...c].filter(([n]) => n.startsWith(`${K}__`) && n.endsWith(suffix)).reduce((s, [, v]) => s + v[i], 0)

/** <count> TCP connections one after the other to <vip>:8080 (from <local>): the names that answered. */
function connectMany (vip: string, count: number, local = ''): string[] {
  return JSON.parse(sh(['ip', 'netns', 'exec', lan.ns('cl'), process.execPath, '-e',
    `const net = require('net'); const [vip, n, localAddress] = process.argv.slice(1); (async () => { const out = []; for (let i = 0; i < +n; i++) out.push(await new Promise(res => {
      const s = net.connect({ port: 8080, host: vip, localAddress: localAddress || undefined }); const t = setTimeout(() => { res(''); s.destroy() }, 2000);
      s.on('error', () => { clearTimeout(t); res('') }); s.on('data', d => { clearTimeout(t); res(String(d).split('\\n')[0]); s.destroy() }) })); console.log(JSON.stringify(out)) })()`,
    vip, String(count), local])) as string[]
}

/** Connects to <vip>:8080, sends 64 KiB and reads the echo back; prints the server's name ("" on failure). */
const BULK_JS = `const s = require('net').connect(8080, process.argv[1]); const N = 65536; let name = null, buf = '', got = 0;
const t = setTimeout(() => { console.log(''); process.exit(0) }, 5000);
s.on('error', () => {}); s.on('data', d => { if (name === null) { buf += d; const i = buf.indexOf('\\n'); if (i < 0) return; name = buf.slice(0, i); s.write(Buffer.alloc(N, 97)); return }
  got += d.length; if (got >= N) { clearTimeout(t); console.log(name); s.end() } })`

test('rr spreads many new TCP connections over the real servers by a flow hash; wrr by weight; the flow counters agree', () => {
  const before = counters()
  const rr = tally(lan.clients('tcp', 8080, 300))
  assert.equal(rr[''], undefined, JSON.stringify(rr))
  for (const s of ['s1', 's2', 's3']) assert.ok(rr[s]! >= 60 && rr[s]! <= 140, `statistical thirds of 300: ${JSON.stringify(rr)}`)
  const after = counters()
  for (const n of [11, 12, 13]) {
    const flows = after.get(`${K}__10_88_0_${n}_8080__flows`)![0] - (before.get(`${K}__10_88_0_${n}_8080__flows`)?.[0] ?? 0)
    assert.equal(flows, rr[`s${n - 10}`], `new flows counted for 10.88.0.${n}`)
  }
  const wrr = tally(connectMany(WRR_VIP, 400))
  assert.equal(wrr[''], undefined, JSON.stringify(wrr))
  const share = wrr.s1! / 400
  assert.ok(share > 0.65 && share < 0.85, `weight 3 of 4: ${JSON.stringify(wrr)}`)
})

test('replies go straight from the real server to the client: the balancer counts the 64 KiB sent, not the 64 KiB echoed', () => {
  const before = counters()
  const name = sh(['ip', 'netns', 'exec', lan.ns('cl'), process.execPath, '-e', BULK_JS, VIP]).trim()
  assert.match(name, /^s[123]$/)
  const after = counters()
  const bytes = sumOf(after, '__traffic', 1) - sumOf(before, '__traffic', 1)
  // 64 KiB of payload plus the headers of that direction; both ways would be over 128 KiB
  assert.ok(bytes >= 65536 && bytes < 65536 * 1.25, `client → server bytes through the balancer: ${bytes}`)
  // nothing of it in the balancer's conntrack: ingress forwarding comes before it
  const ct = sh(['ip', 'netns', 'exec', lan.ns('lb'), 'sh', '-c', 'cat /proc/net/nf_conntrack 2>/dev/null || true'])
  assert.doesNotMatch(ct, new RegExp(`dst=${VIP.replace(/\./g, '\\.')} sport=\\d+ dport=8080 `))
})

test('sh keeps every client address on one server and spreads addresses', () => {
  const seen = new Set<string>()
  for (const a of CLIENT_EXTRA) {
    const got = tally(connectMany(SH_VIP, 4, a))
    assert.equal(Object.keys(got).length, 1, `${a}: ${JSON.stringify(got)}`)
    seen.add(Object.keys(got)[0]!)
  }
  assert.ok(seen.size >= 2, `8 addresses over 3 servers: ${[...seen].join(',')}`)
})

test('persistence_timeout keeps each client address on the server of its first flow, which rr placed by flow', () => {
  const seen = new Set<string>()
  for (const a of CLIENT_EXTRA) {
    const got = tally(connectMany(STICKY_VIP, 5, a))
    assert.equal(Object.values(got)[0], 5, `${a}: ${JSON.stringify(got)}`)
    seen.add(Object.keys(got)[0]!)
  }
  assert.ok(seen.size >= 2, `8 addresses over 3 servers: ${[...seen].join(',')}`)
})

test('UDP datagrams are balanced by flow too', () => {
  const got = tally(lan.clients('udp', 5353, 60))
  assert.equal(got[''], undefined, JSON.stringify(got))
  for (const s of ['s1', 's2']) assert.ok(got[s]! >= 15, `statistical halves of 60: ${JSON.stringify(got)}`)
})

/** One client process holding <n> TCP connections to VIP:8080: names() gives the
 *  server of each, echo(token) which of them still echo it back (after 1 s). */
const FLOWS_JS = `const net = require('net'); const conns = [];
for (let i = 0; i < +process.argv[2]; i++) { const c = { name: null, buf: '', closed: false, s: net.connect(8080, process.argv[1]) }; conns.push(c);
  c.s.on('data', d => { c.buf += d; if (c.name === null && c.buf.includes('\\n')) c.name = c.buf.split('\\n')[0] }); c.s.on('close', () => { c.closed = true }); c.s.on('error', () => {}) }
const report = tok => console.log(JSON.stringify(conns.map(c => [c.name, !c.closed && c.buf.includes(tok + '\\n')])));
setTimeout(() => report(''), 1000);
require('readline').createInterface({ input: process.stdin }).on('line', tok => { for (const c of conns) c.s.write(tok + '\\n'); setTimeout(() => report(tok), 1000) })`

async function manyFlows (n: number): Promise<{ names: string[]; echo: (tok: string) => Promise<[string, boolean][]>; close: () => void }> {
  const p = spawn('ip', ['netns', 'exec', lan.ns('cl'), process.execPath, '-e', FLOWS_JS, VIP, String(n)], { stdio: ['pipe', 'pipe', 'inherit'] })
  const reports: [string, boolean][][] = []
  createInterface({ input: p.stdout! }).on('line', l => reports.push(JSON.parse(l) as [string, boolean][]))
  const next = async (): Promise<[string, boolean][]> => { const k = reports.length; assert.ok(await until(() => reports.length > k, 5000)); return reports[k]! }
  const first = await next()
  return { names: first.map(([name]) => name), echo: async tok => { p.stdin!.write(tok + '\n'); return next() }, close: () => { p.kill('SIGKILL') } }
}

test('a killed real server is taken out by its check, established flows to the others keep their server across the new table, back on recovery', async () => {
  // nft's jhash scales the hash onto the slots (not a modulo): with s1 gone, the
  // slots of s2 and s3 widen, and about half of s2's flows would hash to s3
  const flows = await manyFlows(24)
  try {
    assert.ok(flows.names.every(n => /^s[123]$/.test(n)), flows.names.join(','))
    assert.ok(flows.names.includes('s2'), flows.names.join(','))
    await lan.killBackend(1)
    assert.ok(await until(() => lan.lines.some(l => l.includes(`Removing service [10.88.0.11]:tcp:8080 from VS [${VIP}]:tcp:8080`)), 8000), lan.lines.join('\n'))
    assert.ok(await until(() => !lan.nft(['list', 'chain', 'netdev', 'pocketlb_dr', K]).out.includes('10_88_0_11_8080__f '), 3000))
    const out = tally(lan.clients('tcp', 8080, 40))
    assert.equal(out.s1, undefined, JSON.stringify(out))
    assert.equal(out[''], undefined, 'no failed connection once the server is out')
    const kept = (r: [string, boolean][]): [string, boolean][] => r.filter(([n]) => n !== 's1')
    assert.ok(kept(await flows.echo('after-removal')).every(([, ok]) => ok), 'every flow of s2 and s3 kept its server')
    lan.startBackend(1)
    assert.ok(await until(() => lan.lines.some(l => l.includes(`Adding service [10.88.0.11]:tcp:8080 to VS [${VIP}]:tcp:8080`)), 6000), lan.lines.join('\n'))
    assert.ok(tally(lan.clients('tcp', 8080, 60)).s1! > 0)
    assert.ok(kept(await flows.echo('after-recovery')).every(([, ok]) => ok), 'and across its return')
  } finally {
    flows.close()
  }
})

/** The MAC of node <node>'s eth0. */
const macOf = (node: string): string => (JSON.parse(sh(['ip', '-j', '-n', lan.ns(node), 'link', 'show', 'eth0'])) as { address: string }[])[0]!.address

/** Moves VIP from balancer <from> to <to>; the client learns the new MAC at once (as from a gratuitous ARP). */
function moveVip (from: string, to: string): void {
  sh(['ip', '-n', lan.ns(from), 'addr', 'del', `${VIP}/32`, 'dev', 'eth0'])
  sh(['ip', '-n', lan.ns(to), 'addr', 'add', `${VIP}/32`, 'dev', 'eth0'])
  sh(['ip', '-n', lan.ns('cl'), 'neigh', 'replace', VIP, 'lladdr', macOf(to), 'dev', 'eth0'])
}

test('the VIP moves to a second balancer: it takes the services over, and established flows keep their real server (same hash, same table)', async () => {
  const lines: string[] = []
  const lb2 = lan.spawnVrrp('lb2', CONF, lines)
  const flows = await manyFlows(12)
  try {
    assert.ok(await until(() => lines.some(l => l.includes('Activated 5 virtual server(s)')), 15_000), lines.join('\n'))
    assert.ok(flows.names.every(n => /^s[123]$/.test(n)), flows.names.join(','))
    moveVip('lb', 'lb2')
    // nothing of lb2's flow sets knows these flows: the hash alone places them where lb did
    assert.ok((await flows.echo('on-lb2')).every(([, ok]) => ok), 'every established flow kept its server through lb2')
    const c = JSON.parse(sh(['ip', 'netns', 'exec', lan.ns('lb2'), 'nft', '-j', 'list', 'counters', 'table', 'netdev', 'pocketlb_dr'])) as { nftables: { counter?: { name: string; packets: number } }[] }
    assert.ok(c.nftables.some(o => o.counter?.name.startsWith(`${K}__`) && o.counter.name.endsWith('__traffic') && o.counter.packets > 0), 'lb2 forwarded them')
    assert.equal(lan.clients('tcp', 8080, 6).filter(Boolean).length, 6, 'new flows through lb2')
  } finally {
    flows.close()
    moveVip('lb2', 'lb')
    lb2.kill('SIGTERM')
    await new Promise(resolve => lb2.once('exit', resolve))
  }
  assert.equal(lan.clients('tcp', 8080, 3).filter(Boolean).length, 3, 'back through lb')
})

test('the services follow the VIP: not forwarded while this node does not hold it, even when routed here', async () => {
  sh(['ip', '-n', lan.ns('cl'), 'route', 'replace', `${VIP}/32`, 'via', '10.88.0.1'])
  const before = sumOf(counters(), '__traffic', 0)
  lan.vip(false)
  try {
    assert.deepEqual(lan.clients('tcp', 8080, 2), ['', ''])
    assert.equal(sumOf(counters(), '__traffic', 0), before, 'no packet forwarded without the VIP')
  } finally {
    lan.vip(true)
    sh(['ip', '-n', lan.ns('cl'), 'route', 'del', `${VIP}/32`])
  }
  await sleep(100)
  assert.equal(lan.clients('tcp', 8080, 6).filter(Boolean).length, 6)
})

test('stop deletes both tables and nothing else', async () => {
  sh(['ip', 'netns', 'exec', lan.ns('lb'), 'nft', 'add table netdev plbl4_other'])
  assert.equal(await lan.stopRunner(), 0)
  assert.equal(lan.nft(['list', 'table', 'netdev', 'pocketlb_dr']).ok, false)
  assert.equal(lan.nft(['list', 'table', 'ip', 'pocketlb_l4']).ok, false)
  assert.equal(lan.nft(['list', 'table', 'netdev', 'plbl4_other']).ok, true)
  assert.deepEqual(lan.clients('tcp', 8080, 1), [''])
})

test('-c: a real server off the VIP\'s link and a port change are refused with file:line and why; a valid DR configuration passes the dry run', async () => {
  const exit = (p: ReturnType<L4Lan['runVrrp']>): Promise<number | null> => new Promise(resolve => p.once('exit', code => resolve(code)))
  // line 8: a routed server; line 10: another port
  const bad = lan.runVrrp(service(8080, 'rr', '  real_server 10.99.0.5 8080 {\n  }\n  real_server 10.88.0.12 8081 {\n  }\n'), ['-c'])
  assert.equal(await exit(bad), 1)
  const out = lan.lines.join('\n')
  assert.match(out, /\[ALERT\] \S+keepalived\.conf:10: real_server 10\.88\.0\.12 8081: port differs from the virtual server's 8080: lb_kind DR forwards the packet unchanged/)
  const good = lan.runVrrp(CONF, ['-c'])
  assert.equal(await exit(good), 0, lan.lines.join('\n'))
  const routed = lan.runVrrp(service(8080, 'rr', '  real_server 10.99.0.5 8080 {\n  }\n'), ['-c'])
  assert.equal(await exit(routed), 1)
  assert.match(lan.lines.join('\n'), /\[ALERT\] \S+keepalived\.conf:8: real_server 10\.99\.0\.5: lb_kind DR needs it on a directly connected subnet of eth0 \(the interface of VIP 10\.88\.0\.100\)/)
  assert.equal(lan.nft(['list', 'table', 'netdev', 'pocketlb_dr']).ok, false, 'the dry run applied nothing')
  lan.runner = null
})

test('-c on a kernel without nft_fwd_netdev names the DR service and what it needs; the NAT one passes', async () => {
  // an `nft` in front of the real one that answers as such a kernel does for a rule using fwd
  const dir = join(lan.dir, 'no-fwd')
  mkdirSync(dir)
  const real = spawnSync('sh', ['-c', 'command -v nft'], { encoding: 'utf8' }).stdout.trim()
  writeFileSync(join(dir, 'nft'), `#!/bin/sh\ninput=$(cat)\ncase "$input" in\n  *"fwd ip to"*) echo "Error: Could not process rule: No such file or directory" >&2; exit 1 ;;\nesac\nprintf '%s\\n' "$input" | exec ${real} "$@"\n`)
  chmodSync(join(dir, 'nft'), 0o755)
  const env = { ...process.env, PATH: `${dir}:${process.env.PATH ?? ''}` }
  const nat = `virtual_server ${VIP} 9000 {\n  lb_algo rr\n  real_server 10.88.0.11 8080 {\n  }\n}\n`
  const p = lan.runVrrp(nat + service(8080, 'rr', rs(1)), ['-c'], env)
  assert.equal(await new Promise(resolve => p.once('exit', resolve)), 1)
  const out = lan.lines.join('\n')
  assert.match(out, /keepalived\.conf:6: virtual_server 10\.88\.0\.100:8080: this kernel's nftables refuses its rules \(they need .*netdev ingress, fwd \(netdev\)\): Error: Could not process rule/)
  assert.doesNotMatch(out, /10\.88\.0\.100:9000:/)
  lan.runner = null
})
