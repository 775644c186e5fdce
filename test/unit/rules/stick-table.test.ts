import { test } from 'node:test'
import assert from 'node:assert/strict'
import { FreqCounter } from '../../../src/rules/stick/freq.ts'
import { StickTables } from '../../../src/rules/stick/tables.ts'
import { DT } from '../../../src/rules/stick/data-types.ts'
import { toKey, keyText } from '../../../src/rules/stick/keys.ts'
import { RulesError } from '../../../src/rules/types.ts'

/** A fake clock the tables read (ms). */
function clock (start = 1_000_000): { now: () => number; advance: (ms: number) => void } {
  let t = start
  return { now: () => t, advance: ms => { t += ms } }
}

test('freq counter: current period plus the weighted previous one, zero after two periods', () => {
  const f = new FreqCounter()
  const p = 10_000
  assert.equal(f.read(1000, p), 0)
  for (let i = 0; i < 10; i++) f.add(1000, p, 1)
  assert.equal(f.read(1000, p), 10)
  f.add(11_000, p, 2) // next period: prev = 10, curr = 2
  assert.equal(f.read(11_000, p), 2 + 10)
  assert.equal(f.read(16_000, p), 2 + 5, 'half of the previous period still in the window')
  assert.equal(f.read(26_000, p), 1, 'only the last period, weighted')
  assert.equal(f.read(31_001, p), 0)
})

test('stick-table declaration: type, len, size, expire, store with periods; errors', () => {
  const ts = new StickTables()
  const t = ts.declare('fe', ['type', 'string', 'len', '8', 'size', '1k', 'expire', '30s', 'store', 'gpc0,http_req_rate(10s)', 'store', 'conn_cur'])
  assert.equal(t.spec.type, 'string')
  assert.equal(t.spec.keyLen, 8)
  assert.equal(t.spec.size, 1024)
  assert.equal(t.spec.expire, 30000)
  assert.ok(t.stores(DT.gpc0) && t.stores(DT.httpReqRate) && t.stores(DT.connCur))
  assert.ok(!t.stores(DT.connCnt))
  assert.equal(t.spec.store.periods[DT.httpReqRate], 10000)
  assert.throws(() => ts.declare('x', ['type', 'ip', 'size', '10', 'store', 'http_req_rate']), RulesError)
  assert.throws(() => ts.declare('y', ['type', 'ip', 'size', '10', 'store', 'nope']), /unknown data type 'nope'/)
  assert.throws(() => ts.declare('z', ['type', 'ip']), /missing 'size'/)
  assert.throws(() => ts.declare('fe', ['type', 'ip', 'size', '1']), /conflicts/)
  ts.ref('later')
  assert.deepEqual(ts.undeclared().map(u => u.name), ['later'])
  assert.deepEqual(ts.list().map(x => x.name), ['fe'])
})

test('keys: ip tables take IPv4 (mapped too), ipv6 maps IPv4, strings are cut to len, binary prints as hex', () => {
  assert.equal(toKey('ip', 0, '::ffff:10.0.0.1'), '10.0.0.1')
  assert.equal(toKey('ip', 0, '2001:db8::1'), undefined)
  assert.equal(toKey('ipv6', 0, '10.0.0.1'), '::ffff:10.0.0.1')
  assert.equal(toKey('integer', 0, '42abc'), '42')
  assert.equal(toKey('string', 4, 'abcdef'), 'abcd')
  assert.equal(keyText('binary', 3, 'A'), '410000')
})

test('entries expire lazily, are evicted oldest-first when full, and entries in use stay', () => {
  const c = clock()
  const ts = new StickTables(c.now)
  const t = ts.declare('t', ['type', 'ip', 'size', '2', 'expire', '1s', 'store', 'gpc0'])
  const a = t.obtain('10.0.0.1')!
  t.obtain('10.0.0.2')
  t.obtain('10.0.0.1') // touch a: b becomes the oldest
  t.obtain('10.0.0.3')
  assert.deepEqual(t.entries().map(e => e.key), ['10.0.0.1', '10.0.0.3'])
  a.refs = 1
  c.advance(1500)
  assert.equal(t.lookup('10.0.0.3'), undefined, 'expired')
  assert.equal(t.lookup('10.0.0.1'), a, 'in use: kept')
  a.refs = 0
  t.sweep()
  assert.equal(t.used, 0)
  const full = ts.declare('full', ['type', 'integer', 'size', '1', 'expire', '1m'])
  full.obtain('1')!.refs = 1
  assert.equal(full.obtain('2'), null, 'full of entries in use')
})

test('read/bump/write only touch stored data', () => {
  const c = clock()
  const t = new StickTables(c.now).declare('t', ['type', 'ip', 'size', '10', 'store', 'gpc0,http_req_rate(10s)'])
  const e = t.obtain('1.2.3.4')!
  t.bump(e, DT.httpReqCnt, DT.httpReqRate, 1)
  t.bump(e, DT.httpReqCnt, DT.httpReqRate, 1)
  assert.equal(t.read(e, DT.httpReqRate), 2)
  assert.equal(t.read(e, DT.httpReqCnt), undefined)
  t.write(e, DT.gpc0, 7)
  assert.equal(t.read(e, DT.gpc0), 7)
  t.write(e, DT.gpt0, 1)
  assert.equal(t.read(e, DT.gpt0), undefined)
})
