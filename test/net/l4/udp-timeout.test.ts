import { test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { L4Lan, VIP, sh, tally, until } from './topo.ts'

// Balanced UDP flows (lb_kind NAT) get pocketlb's conntrack timeout policy
// (plb_udp: 10 s unreplied, 300 s replied stream); the balancer's other UDP
// flows keep the kernel's defaults.

let lan: L4Lan

before(async () => {
  lan = new L4Lan(1)
  lan.vip(true)
  lan.runVrrp(`virtual_server ${VIP} 53 {\n  lb_algo rr\n  protocol UDP\n  real_server 10.88.0.11 5353 {\n  }\n}\n`)
  assert.ok(await until(() => lan.lines.some(l => l.includes('Activated 1 virtual server(s)')), 15_000), lan.lines.join('\n'))
})

after(async () => { await lan.destroy() })

/** UDP conntrack entries of the balancer: seconds left and the line. */
const udpEntries = (): { left: number; line: string }[] => sh(['ip', 'netns', 'exec', lan.ns('lb'), 'cat', '/proc/net/nf_conntrack']).split('\n')
  .filter(l => / udp /.test(l)).map(line => ({ left: Number(line.split(/\s+/)[4]), line }))

test('a balanced request/response UDP exchange is kept 10 s by conntrack; another UDP flow of the balancer keeps the kernel\'s 30 s', async () => {
  // the balancer's own exchange with the server: not ours
  sh(['ip', 'netns', 'exec', lan.ns('lb'), process.execPath, '-e',
    `const u = require('dgram').createSocket('udp4'); u.on('message', () => u.close()); u.send('x', 5353, '10.88.0.11'); setTimeout(() => process.exit(0), 2000).unref()`])
  assert.deepEqual(tally(lan.clients('udp', 53, 3)), { s1: 3 })
  let entries = udpEntries()
  assert.ok(await until(() => { entries = udpEntries(); return entries.filter(e => e.line.includes(`dst=${VIP} `)).length === 3 }, 3000), entries.map(e => e.line).join('\n'))
  const balanced = entries.filter(e => e.line.includes(`dst=${VIP} `))
  assert.ok(balanced.every(e => e.left <= 10), balanced.map(e => e.line).join('\n'))
  const own = entries.filter(e => e.line.includes('src=10.88.0.1 dst=10.88.0.11 '))
  assert.equal(own.length, 1, entries.map(e => e.line).join('\n'))
  assert.ok(own[0]!.left > 10 && own[0]!.left <= 30, own[0]!.line)
  assert.equal(sh(['ip', 'netns', 'exec', lan.ns('lb'), 'cat', '/proc/sys/net/netfilter/nf_conntrack_udp_timeout']).trim(), '30')
})

test('a balanced UDP flow answered for over 2 s (a stream) is kept 300 s, as LVS\'s UDP timeout, not the kernel\'s 120 s', async () => {
  // one client socket (fixed port 40053), a datagram now and one 2.5 s later, both answered
  sh(['ip', 'netns', 'exec', lan.ns('cl'), process.execPath, '-e',
    `const u = require('dgram').createSocket('udp4'); let n = 0; u.on('message', () => { if (++n === 2) u.close() });
     u.bind(40053, () => { u.send('a', 53, '${VIP}'); setTimeout(() => u.send('b', 53, '${VIP}'), 2500) }); setTimeout(() => process.exit(0), 5000).unref()`])
  const stream = udpEntries().filter(e => e.line.includes(`sport=40053 dport=53 `))
  assert.equal(stream.length, 1, udpEntries().map(e => e.line).join('\n'))
  assert.ok(stream[0]!.left > 120 && stream[0]!.left <= 300, stream[0]!.line)
  assert.match(stream[0]!.line, /\[ASSURED\]/)
})
