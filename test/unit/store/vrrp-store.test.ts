// The VRRP page's store: transitions keep their reason code (rows written
// before codes still read), and the "simulate failure" switch outlives a restart.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Store } from '../../../src/store/store.ts'
import { openSqlite } from '../../../src/store/sqlite.ts'
import { MIGRATIONS } from '../../../src/store/migrations.ts'

function inTempDir (fn: (path: string) => void): void {
  const dir = mkdtempSync(join(tmpdir(), 'plb-vrrp-store-'))
  try { fn(join(dir, 'lb.db')) } finally { rmSync(dir, { recursive: true, force: true }) }
}

test('a store of the first schema is migrated: its old transitions still read, with no code', () => {
  inTempDir(path => {
    const old = openSqlite(path)
    old.exec(MIGRATIONS[0]!)
    old.pragma('user_version = 1')
    old.prepare('INSERT INTO vrrp_transitions (time, instance, from_state, to_state, reason) VALUES (?, ?, ?, ?, ?)').run(1000, 'VI_1', 'BACKUP', 'MASTER', 'priority 150')
    old.close()
    const s = Store.open(path, { flushMs: 60_000 })
    assert.equal(s.db.pragma('user_version', { simple: true }), MIGRATIONS.length)
    s.events.vrrp({ time: 2000, instance: 'VI_1', from: 'MASTER', to: 'FAULT', reason: 'tracked script chk failed', code: 'track-failed' })
    s.batch.flush()
    assert.deepEqual(s.events.recentVrrp(), [
      { time: 2000, instance: 'VI_1', from: 'MASTER', to: 'FAULT', reason: 'tracked script chk failed', code: 'track-failed' },
      { time: 1000, instance: 'VI_1', from: 'BACKUP', to: 'MASTER', reason: 'priority 150', code: '' }
    ])
    s.close()
  })
})

test('the simulated failure switch: off when never set, kept with its time across a reopen', () => {
  inTempDir(path => {
    const a = Store.open(path)
    assert.deepEqual(a.settings.simulatedFailure(), { on: false, since: 0 })
    a.settings.setSimulatedFailure(true, 5000)
    a.close()
    const b = Store.open(path)
    assert.deepEqual(b.settings.simulatedFailure(), { on: true, since: 5000 })
    b.settings.setSimulatedFailure(false, 6000)
    b.close()
    const c = Store.open(path)
    assert.deepEqual(c.settings.simulatedFailure(), { on: false, since: 6000 })
    c.close()
  })
})
