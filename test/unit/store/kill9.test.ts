import { test } from 'node:test'
import assert from 'node:assert/strict'
import { spawn } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Store } from '../../../src/store/store.ts'

const writer = new URL('./kill-writer.ts', import.meta.url).pathname

/** Starts the writer for <run>, waits for <commits> reported transactions, then
 *  kills it with SIGKILL while it writes the next ones; returns the number of
 *  lines it last reported as committed. */
async function killDuringWrites (path: string, run: string, commits: number): Promise<number> {
  const child = spawn(process.execPath, ['--import', 'tsx', writer, path, run], { stdio: ['ignore', 'pipe', 'inherit'] })
  let last = 0, seen = 0, buf = ''
  const timer = setTimeout(() => child.kill('SIGKILL'), 20_000)
  await new Promise<void>(resolve => {
    child.stdout!.on('data', (d: Buffer) => {
      buf += d.toString()
      const lines = buf.split('\n'); buf = lines.pop()!
      for (const l of lines) { last = Number(l.slice('committed '.length)); seen++ }
      if (seen >= commits) child.kill('SIGKILL')
    })
    child.once('exit', () => resolve())
  })
  clearTimeout(timer)
  return last
}

test('kill -9 during batched writes never corrupts the store and keeps committed rows', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'plb-kill9-'))
  try {
    const path = join(dir, 'lb.db')
    for (const [run, commits] of [['a', 5], ['b', 30], ['c', 12]] as const) {
      const reported = await killDuringWrites(path, run, commits)
      assert.ok(reported >= commits * 200, `the writer reported ${reported} committed lines`)
      const s = Store.open(path)
      assert.equal(s.db.pragma('integrity_check', { simple: true }), 'ok')
      const newest = s.events.recentLogs(1)[0].line.split(' ')
      assert.equal(newest[0], run)
      assert.ok(Number(newest[1]) >= reported - 1, `line ${reported - 1} was reported committed, newest kept is ${newest[1]}`)
      const audits = s.events.recentAudit(1)
      assert.ok(Number(audits[0].detail) >= reported)
      s.close()
    }
  } finally { rmSync(dir, { recursive: true, force: true }) }
})
