import { test } from 'node:test'
import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import { decodeIpv4, encodeAdvert, encodeIpv4, vrrpChecksum, type DropReason, type Expect } from '../../../src/vrrp/packet.ts'

/** Datagrams captured from keepalived 2.2.7 (see test/fixtures/vrrp/capture.sh). */
function fixture (name: string): Buffer[] {
  const text = readFileSync(new URL(`../../fixtures/vrrp/${name}.hex`, import.meta.url), 'utf8')
  return text.split('\n').filter(l => l && !l.startsWith('#')).map(l => Buffer.from(l, 'hex'))
}

const VIPS = ['10.99.0.100', '10.99.0.101']
const cases: [string, Expect, string][] = [
  ['keepalived-v2-mcast', { version: 2, vrid: 51, adverInt: 1000 }, '224.0.0.18'],
  ['keepalived-v3-mcast', { version: 3, vrid: 51, adverInt: 1000 }, '224.0.0.18'],
  ['keepalived-v3-unicast', { version: 3, vrid: 51, adverInt: 1000 }, '10.99.0.2']
]

for (const [name, expect, dst] of cases) {
  test(`decode and re-encode keepalived capture ${name}`, () => {
    const pkts = fixture(name)
    assert.ok(pkts.length >= 2)
    pkts.forEach((pkt, i) => {
      const d = decodeIpv4(pkt, expect)
      assert.ok(d.ok, `packet ${i}: ${d.ok ? '' : d.reason}`)
      const last = i === pkts.length - 1
      assert.deepEqual(d.advert, { version: expect.version, vrid: 51, priority: last ? 0 : 200, adverInt: 1000, addrs: VIPS })
      assert.equal(d.src, '10.99.0.1'); assert.equal(d.dst, dst); assert.equal(d.ttl, 255)
      // our encoder produces the very bytes keepalived sent (v2 with its 8 zero auth octets)
      assert.deepEqual(encodeAdvert(d.advert, d.src, d.dst), pkt.subarray(20))
      // our IPv4 header matches except the identification and its checksum
      const ip = encodeIpv4(pkt.subarray(20), d.src, d.dst)
      const mask = (b: Buffer): Buffer => { const c = Buffer.from(b.subarray(0, 20)); c.fill(0, 4, 6); c.fill(0, 10, 12); return c }
      assert.deepEqual(mask(ip), mask(pkt))
    })
  })
}

test('v3 checksum covers the IPv4 pseudo-header; v2 does not', () => {
  const v3 = fixture('keepalived-v3-mcast')[0]!.subarray(20)
  assert.equal(vrrpChecksum(v3, 3, '10.99.0.1', '224.0.0.18'), 0)
  assert.notEqual(vrrpChecksum(v3, 3, '10.99.0.9', '224.0.0.18'), 0)
  const v2 = fixture('keepalived-v2-mcast')[0]!.subarray(20)
  assert.equal(vrrpChecksum(v2, 2, '0.0.0.0', '0.0.0.0'), 0)
})

test('centisecond advert interval (v3) round-trips', () => {
  const a = { version: 3 as const, vrid: 7, priority: 150, adverInt: 50, addrs: ['192.0.2.1'] }
  const ip = encodeIpv4(encodeAdvert(a, '192.0.2.10', '224.0.0.18'), '192.0.2.10', '224.0.0.18')
  const d = decodeIpv4(ip, { version: 3, vrid: 7, adverInt: 1000 })
  assert.ok(d.ok)
  assert.deepEqual(d.advert, a)
})

/** Every drop reason, each from a valid keepalived packet with one defect. */
const v3ok = (): Buffer => Buffer.from(fixture('keepalived-v3-mcast')[0]!)
const v2ok = (): Buffer => Buffer.from(fixture('keepalived-v2-mcast')[0]!)
const e3: Expect = { version: 3, vrid: 51, adverInt: 1000 }
const e2: Expect = { version: 2, vrid: 51, adverInt: 1000 }
/** Rewrites the VRRP checksum after a mutation so that the intended check is the one failing. */
function fix (b: Buffer, version: 2 | 3, vrrpLen = b.length - 20): Buffer {
  const msg = b.subarray(20, 20 + vrrpLen); msg.writeUInt16BE(0, 6)
  msg.writeUInt16BE(vrrpChecksum(msg, version, '10.99.0.1', '224.0.0.18'), 6)
  return b
}
const drops: [DropReason, () => Buffer, Expect][] = [
  ['short', () => v3ok().subarray(0, 27), e3],
  ['ip-header', () => { const b = v3ok(); b[0] = 0x65; return b }, e3],
  ['ip-header', () => { const b = v3ok(); b.writeUInt16BE(200, 2); return b }, e3],
  ['not-vrrp', () => { const b = v3ok(); b[9] = 17; return b }, e3],
  ['ttl', () => { const b = v3ok(); b[8] = 254; return b }, e3],
  ['version', () => v3ok(), e2],
  ['type', () => { const b = v3ok(); b[20] = 0x32; return fix(b, 3) }, e3],
  ['checksum', () => { const b = v3ok(); b[22] = 199; return b }, e3],
  ['vrid', () => v3ok(), { ...e3, vrid: 52 }],
  ['length', () => { const b = v3ok(); b[23] = 3; return b }, e3],
  ['addr-count', () => { const b = v3ok(); b[23] = 0; return fix(b, 3, 8) }, e3],
  ['auth', () => { const b = v2ok(); b[24] = 1; return fix(b, 2) }, e2],
  ['interval', () => v2ok(), { ...e2, adverInt: 2000 }]
]
for (const [reason, make, expect] of drops) {
  test(`drop reason ${reason}`, () => {
    const d = decodeIpv4(make(), expect)
    assert.equal(d.ok, false)
    assert.equal(d.ok ? '' : d.reason, reason)
  })
}
