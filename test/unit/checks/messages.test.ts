import { test } from 'node:test'
import assert from 'node:assert/strict'
import { backendDownAlert, backendDownMessage, healthCheckLogMessage, serverDownMessage, serverUpMessage } from '../../../src/checks/messages.ts'

// Expected lines are copied from haproxy 2.6.12's stderr (haproxy -db) for the same events.

test('DOWN with check details (no log-health-checks)', () => {
  assert.equal(
    serverDownMessage('bt', 't1', false, { status: 'L7RSP', code: 0, info: "TCPCHK did not match content '+PONG' at step 2", durationMs: 2 },
      { activeLeft: 0, backupLeft: 0, sessionsActive: 0, requeued: 0, remainingInQueue: 0 }),
    'Server bt/t1 is DOWN, reason: Layer7 invalid response, info: "TCPCHK did not match content \'+PONG\' at step 2", check duration: 2ms. 0 active and 0 backup servers left. 0 sessions active, 0 requeued, 0 remaining in queue.')
  assert.equal(
    serverDownMessage('bk', 's1', false, { status: 'L4CON', code: 0, info: 'Connection refused', durationMs: 0 },
      { activeLeft: 1, backupLeft: 0, sessionsActive: 0, requeued: 0, remainingInQueue: 0 }),
    'Server bk/s1 is DOWN, reason: Layer4 connection problem, info: "Connection refused", check duration: 0ms. 1 active and 0 backup servers left. 0 sessions active, 0 requeued, 0 remaining in queue.')
})

test('DOWN and UP without details (log-health-checks already said them)', () => {
  assert.equal(serverDownMessage('bk', 's2', false, null, { activeLeft: 0, backupLeft: 0, sessionsActive: 0, requeued: 0, remainingInQueue: 0 }),
    'Server bk/s2 is DOWN. 0 active and 0 backup servers left. 0 sessions active, 0 requeued, 0 remaining in queue.')
  assert.equal(serverUpMessage('bk', 's1', false, null, { activeOnline: 1, backupOnline: 0, requeued: 0, totalInQueue: 0 }),
    'Server bk/s1 is UP. 1 active and 0 backup servers online. 0 sessions requeued, 0 total in queue.')
})

test('UP with a layer-7 code, backup servers and running on backup', () => {
  assert.equal(serverUpMessage('bk', 's1', false, { status: 'L7OK', code: 200, info: '', durationMs: 1 }, { activeOnline: 2, backupOnline: 0, requeued: 0, totalInQueue: 0 }),
    'Server bk/s1 is UP, reason: Layer7 check passed, code: 200, check duration: 1ms. 2 active and 0 backup servers online. 0 sessions requeued, 0 total in queue.')
  assert.equal(serverDownMessage('bk', 's1', false, null, { activeLeft: 0, backupLeft: 1, sessionsActive: 3, requeued: 2, remainingInQueue: 1 }),
    'Server bk/s1 is DOWN. 0 active and 1 backup servers left. Running on backup. 3 sessions active, 2 requeued, 1 remaining in queue.')
  assert.match(serverUpMessage('bk', 'b1', true, null, { activeOnline: 0, backupOnline: 1, requeued: 0, totalInQueue: 0 }), /^Backup Server bk\/b1 is UP\./)
})

test('backend has no server available', () => {
  assert.equal(backendDownMessage('bk'), 'backend bk has no server available!')
  assert.equal(backendDownAlert('bk'), "backend 'bk' has no server available!")
})

test('log-health-checks lines', () => {
  assert.equal(healthCheckLogMessage('bk', 's1', false, { status: 'L7STS', code: 503, info: 'Service Unavailable', durationMs: 0 }, '1/2 UP'),
    'Health check for server bk/s1 failed, reason: Layer7 wrong status, code: 503, info: "Service Unavailable", check duration: 0ms, status: 1/2 UP.')
  assert.equal(healthCheckLogMessage('bk', 's1', false, { status: 'L7OK', code: 200, info: '', durationMs: 3 }, '1/2 DOWN'),
    'Health check for server bk/s1 succeeded, reason: Layer7 check passed, code: 200, check duration: 3ms, status: 1/2 DOWN.')
})

test('info is ascii-encoded like chunk_asciiencode', () => {
  const m = serverDownMessage('bk', 's1', false, { status: 'L7STS', code: 500, info: 'a"b<c>\r', durationMs: 0 },
    { activeLeft: 0, backupLeft: 0, sessionsActive: 0, requeued: 0, remainingInQueue: 0 })
  assert.match(m, /info: "a<22>b<3C>c<3E><0D>"/)
})
