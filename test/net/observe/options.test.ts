// Observe mode's pure parts (no root): the command-line options, and reading the
// original destination out of a conntrack table for IPv4 and IPv6 (addresses printed
// in full there, as the kernel does).
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { takeObserveArgs } from '../../../src/observe/appliance.ts'
import { endpointName, originalDst } from '../../../src/observe/original-dst.ts'

test('options: --observe and its companions are taken out of the command line', () => {
  assert.deepEqual(takeObserveArgs(['-f', 'a.cfg', '--ui', ':9000']), { argv: ['-f', 'a.cfg', '--ui', ':9000'], spec: null })
  assert.deepEqual(takeObserveArgs(['-f', 'a.cfg', '--observe', 'eth1,eth0', '--observe-ports', '80,8080', '--observe-body', '16k', '--observe-on']), {
    argv: ['-f', 'a.cfg'],
    spec: { pcPort: 'eth1', lanPort: 'eth0', httpPorts: [80, 8080], tlsPorts: [443], maxBody: 16384, startOn: true }
  })
  assert.equal((takeObserveArgs(['--observe', 'eth0', '--observe-body', '1m']) as string), '--observe expects <pc-if>,<lan-if> (two different interfaces)')
  assert.equal(takeObserveArgs(['--observe', 'eth0,eth0']), '--observe expects <pc-if>,<lan-if> (two different interfaces)')
  assert.equal(takeObserveArgs(['--observe', 'a,b', '--observe-ports', '80,x']), '--observe-ports expects ports like 80,8080')
  assert.equal(takeObserveArgs(['--observe', 'a,b', '--observe-body', 'lots']), '--observe-body expects a size like 64k')
  assert.equal(takeObserveArgs(['-f', 'a.cfg', '--observe-on']), '--observe-* options need --observe <pc-if>,<lan-if>')
  assert.equal((takeObserveArgs(['--observe', 'a,b', '--observe-body', '2M']) as { spec: { maxBody: number } }).spec.maxBody, 2 * 1024 * 1024)
})

test('original destination: IPv4 and IPv6 conntrack entries, v4-mapped clients', () => {
  const dir = mkdtempSync(join(tmpdir(), 'plb-ct-'))
  const table = join(dir, 'nf_conntrack')
  const full = (n: number): string => `fd88:0000:0000:0000:0000:0000:0000:000${n}`
  writeFileSync(table, [
    'ipv4     2 udp      17 29 src=10.88.0.1 dst=10.88.0.2 sport=5000 dport=7 src=10.88.0.2 dst=10.88.0.1 sport=7 dport=5000 mark=0 zone=0 use=2',
    'ipv4     2 tcp      6 431999 ESTABLISHED src=10.88.0.1 dst=10.88.0.2 sport=40000 dport=80 src=10.88.0.3 dst=10.88.0.1 sport=35001 dport=40000 [ASSURED] mark=0 zone=0 use=2',
    `ipv6     10 tcp      6 431999 ESTABLISHED src=${full(1)} dst=${full(2)} sport=40000 dport=8080 src=${full(3)} dst=${full(1)} sport=35001 dport=40000 [ASSURED] mark=0 zone=0 use=2`,
    ''
  ].join('\n'))
  try {
    assert.deepEqual(originalDst('10.88.0.1', 40000, 35001, table), { addr: '10.88.0.2', port: 80 })
    assert.deepEqual(originalDst('::ffff:10.88.0.1', 40000, 35001, table), { addr: '10.88.0.2', port: 80 })
    assert.deepEqual(originalDst('fd88::1', 40000, 35001, table), { addr: 'fd88::2', port: 8080 })
    assert.equal(originalDst('10.88.0.1', 40000, 35002, table), null)                     // another local port
    assert.equal(originalDst('10.88.0.1', 5000, 35001, table), null)                      // only TCP
    assert.equal(originalDst('10.88.0.1', 40000, 35001, join(dir, 'missing')), null)
  } finally { rmSync(dir, { recursive: true }) }
  assert.equal(endpointName('::ffff:10.88.0.1', 80), '10.88.0.1:80')
  assert.equal(endpointName('fd88:0:0:0:0:0:0:2', 443), '[fd88::2]:443')
})
