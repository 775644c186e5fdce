import { test } from 'node:test'
import assert from 'node:assert/strict'
import { spawnSync } from 'node:child_process'
import { serverStateMessage } from '../../../src/log/logger.ts'

const base = { backend: 'bk', server: 's1', reason: 'Layer4 connection problem', info: 'Connection refused', checkDurationMs: 0,
  activeLeft: 0, backupLeft: 0, sessionsActive: 0, requeued: 0, remainingInQueue: 0 }

// texts as haproxy 2.6.12 logged them for the same transitions
test('server state messages are HAProxy 2.6 texts', () => {
  assert.equal(serverStateMessage({ ...base, up: false }),
    'Server bk/s1 is DOWN, reason: Layer4 connection problem, info: "Connection refused", check duration: 0ms. 0 active and 0 backup servers left. 0 sessions active, 0 requeued, 0 remaining in queue.')
  assert.equal(serverStateMessage({ ...base, up: false, backupLeft: 1 }),
    'Server bk/s1 is DOWN, reason: Layer4 connection problem, info: "Connection refused", check duration: 0ms. 0 active and 1 backup servers left. Running on backup. 0 sessions active, 0 requeued, 0 remaining in queue.')
  assert.equal(serverStateMessage({ ...base, up: true, reason: 'Layer4 check passed', info: '', activeLeft: 1 }),
    'Server bk/s1 is UP, reason: Layer4 check passed, check duration: 0ms. 1 active and 0 backup servers online. 0 sessions requeued, 0 total in queue.')
})

test('console lines and syslog levels of a server going down', () => {
  const code = `
    import { consoleNotice, reportServerState } from './src/log/logger.ts'
    const sent = []
    consoleNotice('haproxy version is x')
    reportServerState([{ send: (l, m) => sent.push(l + ' ' + m) }], ${JSON.stringify({ ...base, up: false })})
    console.log(JSON.stringify(sent))`
  const r = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', code], { cwd: new URL('../../..', import.meta.url).pathname, encoding: 'utf8', timeout: 20000 })
  assert.equal(r.status, 0, r.stderr)
  const pid = r.pid
  const down = serverStateMessage({ ...base, up: false })
  assert.equal(r.stderr,
    `[NOTICE]   (${pid}) : haproxy version is x\n[WARNING]  (${pid}) : ${down}\n[ALERT]    (${pid}) : backend 'bk' has no server available!\n`)
  assert.deepEqual(JSON.parse(r.stdout), [`1 ${down}`, '0 backend bk has no server available!'])
})
