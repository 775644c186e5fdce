import { test } from 'node:test'
import assert from 'node:assert/strict'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Store } from '../../../src/store/store.ts'
import { MIGRATIONS } from '../../../src/store/migrations.ts'
import { hashPassword, verifyPassword } from '../../../src/store/users.ts'

test('migrations set user_version and reopening keeps the data', () => {
  const dir = mkdtempSync(join(tmpdir(), 'plb-store-'))
  try {
    const path = join(dir, 'lb.db')
    const a = Store.open(path)
    assert.equal(a.db.pragma('user_version', { simple: true }), MIGRATIONS.length)
    assert.equal(a.db.pragma('journal_mode', { simple: true }), 'wal')
    a.users.create('admin', 'correct horse')
    a.close()
    const b = Store.open(path)
    assert.equal(b.users.count(), 1)
    assert.equal(b.users.check('admin', 'correct horse'), true)
    b.close()
  } finally { rmSync(dir, { recursive: true, force: true }) }
})

test('scrypt hashes are salted and verify only the right password', () => {
  const h1 = hashPassword('pw'), h2 = hashPassword('pw')
  assert.notEqual(h1, h2)
  assert.match(h1, /^scrypt\$16384\$8\$1\$/)
  assert.equal(verifyPassword('pw', h1), true)
  assert.equal(verifyPassword('pW', h1), false)
  assert.equal(verifyPassword('pw', 'plain'), false)
})

test('sessions: stored hashed, expire, close', () => {
  const s = Store.open(':memory:')
  s.users.create('admin', 'x')
  const t0 = 1_000_000
  const { id, csrf } = s.users.openSession('admin', t0)
  assert.deepEqual(s.users.session(id, t0 + 1), { user: 'admin', csrf, expires: t0 + 12 * 3600_000 })
  const raw = s.db.prepare('SELECT id_hash FROM sessions').all() as { id_hash: string }[]
  assert.notEqual(raw[0].id_hash, id)
  assert.equal(s.users.session(id, t0 + 12 * 3600_000), null)
  s.users.closeSession(id)
  assert.equal(s.users.session(id, t0 + 1), null)
  s.close()
})

test('config versions keep text, checksum, validation and applied flag', () => {
  const s = Store.open(':memory:')
  const id1 = s.versions.add({ author: 'admin', comment: 'first', text: 'global\n', valid: true, messages: [], applied: true }, 1000)
  const id2 = s.versions.add({ author: 'admin', comment: 'broken', text: 'bogus\n', valid: false, messages: ['[ALERT] x'], applied: false }, 2000)
  assert.deepEqual(s.versions.recent().map(v => v.id), [id2, id1])
  assert.equal(s.versions.latestApplied()?.id, id1)
  const v = s.versions.get(id2)!
  assert.equal(v.text, 'bogus\n')
  assert.deepEqual(v.messages, ['[ALERT] x'])
  assert.equal(v.valid, false)
  assert.equal(v.checksum.length, 16)
  s.close()
})

test('batched writes: nothing committed until the flush, then one transaction', () => {
  const s = Store.open(':memory:', { flushMs: 60_000 })
  for (let i = 0; i < 10; i++) s.events.log(`line ${i}`)
  s.events.audit('admin', 'login', '')
  assert.equal(s.events.recentLogs().length, 0)
  assert.equal(s.batch.flush(), 11)
  assert.equal(s.batch.commits, 1)
  assert.deepEqual(s.events.recentLogs(3).map(l => l.line), ['line 7', 'line 8', 'line 9'])
  assert.equal(s.events.recentAudit()[0].action, 'login')
  s.close()
})

test('VRRP transitions: batched, newest first, limited', () => {
  const s = Store.open(':memory:', { flushMs: 60_000 })
  const states = ['INIT', 'BACKUP', 'MASTER', 'FAULT', 'BACKUP', 'MASTER']
  for (let i = 1; i < states.length; i++) s.events.vrrp({ time: 1000 * i, instance: 'VI_1', from: states[i - 1]!, to: states[i]!, reason: `priority ${150 - i}`, code: 'start' })
  assert.deepEqual(s.events.recentVrrp(), [])
  s.batch.flush()
  assert.deepEqual(s.events.recentVrrp(2), [
    { time: 5000, instance: 'VI_1', from: 'BACKUP', to: 'MASTER', reason: 'priority 145', code: 'start' },
    { time: 4000, instance: 'VI_1', from: 'FAULT', to: 'BACKUP', reason: 'priority 146', code: 'start' }
  ])
  assert.equal(s.events.recentVrrp().length, 5)
  s.close()
})

test('log ring stays bounded', () => {
  const s = Store.open(':memory:', { flushMs: 60_000, ringSize: 100 })
  for (let i = 0; i < 1200; i++) s.events.log(`l${i}`)
  s.batch.flush()
  const n = (s.db.prepare('SELECT count(*) AS n FROM log_ring').get() as { n: number }).n
  assert.ok(n <= 100 + 500, `ring holds ${n}`)
  assert.equal(s.events.recentLogs(1)[0].line, 'l1199')
  s.close()
})

test('stats history rolls 1 s samples into 10 s and 1 min averages', () => {
  const s = Store.open(':memory:', { flushMs: 60_000 })
  const t0 = 1_700_000_040_000 // a minute boundary
  for (let i = 0; i < 70; i++) s.stats.add({ reqRate: i < 10 ? 10 : 20, connRate: 1, errRate: 0, bytesInRate: 0, bytesOutRate: 0, actconn: 2 }, t0 + i * 1000)
  s.batch.flush()
  const ten = s.stats.points(10, 0)
  assert.equal(ten.length, 6)
  assert.equal(ten[0].t, t0)
  assert.equal(ten[0].reqRate, 10)
  assert.equal(ten[1].reqRate, 20)
  const min = s.stats.points(60, 0)
  assert.equal(min.length, 1)
  assert.equal(min[0].reqRate, 18.33) // (10 × 10 + 50 × 20) / 60, two decimals
  s.close()
})
