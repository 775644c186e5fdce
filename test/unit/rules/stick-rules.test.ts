import { test } from 'node:test'
import assert from 'node:assert/strict'
import { loadConfigSources } from '../../../src/config/load.ts'
import { runRules } from '../../../src/rules/compile.ts'
import type { Plan } from '../../../src/config/plan.ts'
import { endTracking, slotsOf, countHttpStatus } from '../../../src/rules/stick/track.ts'
import { request, target } from './helpers.ts'

function load (...lines: string[]): Plan {
  const r = loadConfigSources([{ path: 'stick.cfg', text: ['defaults', '  mode http', '  timeout client 1s', '  timeout server 1s', '  timeout connect 1s', ...lines, ''].join('\n') }])
  if (!r.ok) assert.fail(r.alerts.join('\n'))
  return r.plan
}

function loadErrors (...lines: string[]): string[] {
  const r = loadConfigSources([{ path: 'stick.cfg', text: ['defaults', '  mode http', ...lines, ''].join('\n') }])
  assert.equal(r.ok, false)
  return r.ok ? [] : r.alerts
}

test('rate limiting (the tutorial): track-sc0 src, deny 429 over 3 requests in 10s', () => {
  const plan = load('frontend fe', '  bind 127.0.0.1:8080',
    '  stick-table type ip size 100k expire 30s store http_req_rate(10s),conn_cur,gpc0',
    '  http-request track-sc0 src',
    '  http-request deny deny_status 429 if { sc_http_req_rate(0) gt 3 }',
    '  http-request return status 200 content-type text/plain lf-string "r=%[sc_http_req_rate(0)] c=%[sc0_conn_cur] t=%[src,table_http_req_rate(fe)]"')
  const rules = plan.frontends[0].httpRequestRules
  const statuses: number[] = []
  const bodies: string[] = []
  for (let i = 0; i < 5; i++) {
    const t = target(request('/'))
    const o = runRules(rules, t)
    statuses.push(o.kind === 'deny' ? o.status : o.kind === 'respond' ? o.status : 0)
    if (o.kind === 'respond') bodies.push(o.body)
    endTracking(slotsOf(t), 10, 20, false)
  }
  assert.deepEqual(statuses, [200, 200, 200, 429, 429])
  assert.deepEqual(bodies, ['r=1 c=1 t=1', 'r=2 c=1 t=2', 'r=3 c=1 t=3'])
  const e = plan.stickTables!.get('fe')!.lookup('192.168.1.10')!
  assert.equal(e.refs, 0, 'released at the end of each transaction')
})

test('sc-inc-gpc0, sc_get_gpc0, sc-set-gpt0, table in another section, sc_tracked', () => {
  const plan = load('backend st', '  stick-table type string len 16 size 10 store gpc0,gpt0,http_err_cnt',
    'frontend fe', '  bind 127.0.0.1:8080',
    '  http-request track-sc1 req.hdr(x-user) table st',
    '  http-request sc-inc-gpc0(1) if { path /inc }',
    '  http-request sc-set-gpt0(1) 42',
    '  http-request return status 200 content-type text/plain lf-string "g=%[sc_get_gpc0(1)] t=%[sc1_get_gpt0] k=%[sc_tracked(1)] n=%[sc_tracked(0)] e=%[sc1_http_err_cnt]"',
    '  default_backend st')
  const rules = plan.frontends[0].httpRequestRules
  const run = (path: string, user?: string): string => {
    const t = target(request(path, user === undefined ? [] : [['X-User', user]]))
    const o = runRules(rules, t)
    countHttpStatus(slotsOf(t), 404)
    endTracking(slotsOf(t), 0, 0, false)
    return o.kind === 'respond' ? o.body : o.kind
  }
  assert.equal(run('/inc', 'bob'), 'g=1 t=42 k=1 n=0 e=0')
  assert.equal(run('/inc', 'bob'), 'g=2 t=42 k=1 n=0 e=1')
  assert.equal(run('/', 'bob'), 'g=2 t=42 k=1 n=0 e=2')
  assert.equal(run('/'), 'g= t= k=0 n=0 e=', 'nothing tracked: no samples')
})

test('unknown table is an error with file:line; bad counter number and data type too', () => {
  const a = loadErrors('frontend fe', '  bind 127.0.0.1:8080', '  http-request track-sc0 src table nope')
  assert.match(a.join('\n'), /stick\.cfg:5\] : unable to find stick-table 'nope'/)
  assert.match(loadErrors('frontend fe', '  bind 127.0.0.1:8080', '  stick-table type ip size 1', '  http-request deny if { sc_http_req_rate(3) gt 1 }').join('\n'), /stick\.cfg:6.*invalid stick counter number '3'/)
  assert.match(loadErrors('frontend fe', '  bind 127.0.0.1:8080', '  stick-table type ip size 1 store foo').join('\n'), /stick\.cfg:5.*unknown data type 'foo'/)
})
