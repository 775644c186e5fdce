import { test } from 'node:test'
import assert from 'node:assert/strict'
import { compileSampleExpr } from '../../../src/rules/compile.ts'
import { Phase } from '../../../src/rules/types.ts'
import type { LiveBackend, LiveServer } from '../../../src/rules/fetches/backend-state.ts'
import { ctx, request, stream } from './helpers.ts'

// Live-state fetches (fe_conn, be_conn, connslots, nbsrv, queue...) on plain
// objects shaped like the proxy's runtimes.

function server (over: Partial<{ checkUp: boolean; admin: string; cur: number; maxconn: number; maxqueue: number; queued: number }> = {}): LiveServer {
  return {
    checkUp: over.checkUp ?? true, admin: over.admin ?? 'ready', cur: over.cur ?? 0, maxconn: over.maxconn ?? 0,
    plan: { maxqueue: over.maxqueue ?? 0 }, queue: { length: over.queued ?? 0 }
  }
}

function backend (servers: LiveServer[], cur = 0): LiveBackend {
  return {
    activeUsable: servers.filter(s => s.checkUp && s.admin !== 'maint').length, backupUsable: 0, cur, queued: 0,
    plan: { allbackups: false }, byName: new Map(servers.map((s, i) => [`s${i + 1}`, s])), servers
  }
}

const live = (backends: Record<string, LiveBackend>, frontends: Record<string, number>) => stream(request('/'), null, {
  feName: 'web', beName: 'app',
  ...{ liveBackends: new Map(Object.entries(backends)), liveFrontends: new Map(Object.entries(frontends).map(([n, cur]) => [n, { cur }])) }
})

const ev = (text: string, s: ReturnType<typeof live>) => compileSampleExpr(text, ctx(Phase.HttpReq))(s)

test('connslots sums free connection and queue slots over the servers not stopped', () => {
  const s = live({
    app: backend([server({ maxconn: 10, cur: 3, maxqueue: 5, queued: 1 }), server({ maxconn: 4, cur: 4, maxqueue: 2 }), server({ checkUp: false, maxconn: 100, maxqueue: 100 })]),
    maint: backend([server({ maxconn: 10, maxqueue: 5, admin: 'maint' })]),
    unlimited: backend([server({ maxconn: 10, maxqueue: 5 }), server({ maxconn: 0, maxqueue: 5 })]),
    noqueue: backend([server({ maxconn: 10, maxqueue: 0 })])
  }, {})
  assert.equal(ev('connslots', s), (10 - 3) + (5 - 1) + (4 - 4) + (2 - 0))
  assert.equal(ev('connslots(app)', s), 13)
  assert.equal(ev('connslots(maint)', s), 0, 'a server in maintenance is stopped')
  assert.equal(ev('connslots(unlimited)', s), -1, 'one server without maxconn: -1')
  assert.equal(ev('connslots(noqueue)', s), -1, 'one server without maxqueue: -1')
  assert.equal(ev('connslots(nosuch)', s), undefined)
})

test('fe_conn counts the connections of the current or the named frontend', () => {
  const s = live({ app: backend([server()], 2) }, { web: 7, admin: 1 })
  assert.equal(ev('fe_conn', s), 7)
  assert.equal(ev('fe_conn(admin)', s), 1)
  assert.equal(ev('fe_conn(nosuch)', s), undefined)
  assert.equal(ev('be_conn', s), 2)
  assert.equal(compileSampleExpr('fe_conn', ctx(Phase.L4Conn))(s), 7, 'usable from tcp-request connection on')
})
