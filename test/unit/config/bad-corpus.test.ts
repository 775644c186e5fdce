import { test } from 'node:test'
import assert from 'node:assert/strict'
import { readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { loadConfigFiles } from '../../../src/config/load.ts'
import { haproxyCheck } from './haproxy-check.ts'

/** Every test/fixtures/config/bad/*.cfg starts with
 *  `# expect: <text>` (%f = the file path) and `# haproxy-rejects: yes|no`. */
const dir = join(import.meta.dirname, '../../fixtures/config/bad')
const files = readdirSync(dir).filter(f => f.endsWith('.cfg')).sort()

test('the bad corpus is not empty', () => { assert.ok(files.length >= 20) })

for (const name of files) {
  test(`bad config ${name} is rejected with file:line and keyword`, () => {
    const path = join(dir, name)
    const text = readFileSync(path, 'utf8')
    const expect = /^# expect: (.*)$/m.exec(text)?.[1]
    const rejects = /^# haproxy-rejects: (yes|no)$/m.exec(text)?.[1]
    assert.ok(expect !== undefined && rejects !== undefined, 'fixture header missing')
    const r = loadConfigFiles([path], { env: { HOME: '/root' } })
    assert.equal(r.ok, false)
    if (r.ok) return
    const wanted = expect.replaceAll('%f', path)
    assert.ok(r.alerts.some(a => a.includes(wanted)), `no alert contains:\n  ${wanted}\ngot:\n  ${r.alerts.join('\n  ')}`)
    assert.ok(r.alerts.some(a => a.includes(`${path}:`)), 'alert without file:line')
    if (rejects === 'yes') {
      const h = haproxyCheck(path)
      assert.equal(h.ok, false, `haproxy accepted ${name}:\n${h.output}`)
    }
  })
}
