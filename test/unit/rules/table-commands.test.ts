import { test } from 'node:test'
import assert from 'node:assert/strict'
import { loadConfigSources } from '../../../src/config/load.ts'
import { runCommand } from '../../../src/runtime/commands.ts'
import type { CliSession } from '../../../src/runtime/cli-context.ts'
import type { Engine } from '../../../src/proxy/engine.ts'
import { Level } from '../../../src/runtime/cli-context.ts'
import { MapStore } from '../../../src/rules/maps.ts'
import { DT } from '../../../src/rules/stick/data-types.ts'

/** Runtime API `show|clear|set table` on a loaded plan (no sockets: the
 *  session only needs the engine's current plan). */
function session (): { s: CliSession; plan: ReturnType<typeof load> } {
  const plan = load()
  const engine = { current: { plan } } as unknown as Engine
  return { s: { engine, maps: new MapStore(), level: Level.admin, interactive: false, quit: false }, plan }
}

function load () {
  const r = loadConfigSources([{ path: 't.cfg', text: `
defaults
  mode http
frontend fe
  bind 127.0.0.1:8080
  stick-table type ip size 100 expire 30s store gpc0,conn_cnt,http_req_rate(10s)
  default_backend be
backend be
  stick-table type string len 8 size 10 expire 1m
  stick on req.hdr(x)
  server s1 127.0.0.1:8081
` }])
  if (!r.ok) assert.fail(r.alerts.join('\n'))
  return r.plan
}

const cmd = (s: CliSession, line: string): string => runCommand(line.split(' '), s)

test('show table lists tables by name; a table dump prints stored data in HAProxy order', () => {
  const { s, plan } = session()
  assert.equal(cmd(s, 'show table'), '# table: be, type: string, size:10, used:0\n# table: fe, type: ip, size:100, used:0\n')
  const fe = plan.stickTables!.get('fe')!
  const e = fe.obtain('127.0.0.1')!
  fe.bump(e, DT.httpReqCnt, DT.httpReqRate, 1)
  fe.bump(e, DT.connCnt, -1, 2)
  fe.obtain('10.0.0.9')
  const out = cmd(s, 'show table fe').split('\n')
  assert.equal(out[0], '# table: fe, type: ip, size:100, used:2')
  assert.match(out[1], /^0x[0-9a-f]+: key=10\.0\.0\.9 use=0 exp=\d+ gpc0=0 conn_cnt=0 http_req_rate\(10000\)=0$/)
  assert.match(out[2], /^0x[0-9a-f]+: key=127\.0\.0\.1 use=0 exp=(29\d{3}|30000) gpc0=0 conn_cnt=2 http_req_rate\(10000\)=1$/)
  assert.equal(cmd(s, 'show table fe data.conn_cnt gt 1').split('\n').length, 3, 'header, one entry, end')
  assert.match(cmd(s, 'show table fe key 10.0.0.9'), /key=10\.0\.0\.9/)
  const be = plan.stickTables!.get('be')!
  const b = be.obtain('abc')!
  be.write(b, DT.serverId, 1); b.serverKey = 's1'
  assert.match(cmd(s, 'show table be'), /key=abc use=0 exp=\d+ server_id=1 server_key=s1\n$/)
})

test('filter and argument errors use HAProxy texts', () => {
  const { s } = session()
  assert.equal(cmd(s, 'show table nope'), 'No such table\n')
  assert.equal(cmd(s, 'show table fe data.foo gt 1'), 'Filter entry #1: Unknown data type\n')
  assert.equal(cmd(s, 'show table fe data.gpc0'), 'Filter entry #1: Require and operator among "eq", "ne", "le", "ge", "lt", "gt"\n')
  assert.equal(cmd(s, 'show table fe data.gpc0 gt x'), 'Filter entry #1: Require a valid integer value to compare against\n')
  assert.equal(cmd(s, 'show table fe data.server_id gt 1'), 'Filter entry #1: Data type not stored in this table\n')
  assert.equal(cmd(s, 'show table fe key'), 'Key value expected\n')
  assert.equal(cmd(s, 'clear table'), 'Required arguments: <table> "data.<store_data_type>" <operator> <value> or <table> key <key>\n')
})

test('set table creates and updates entries; clear table removes by key, by data filter, or all unused', () => {
  const { s, plan } = session()
  const fe = plan.stickTables!.get('fe')!
  assert.equal(cmd(s, 'set table fe key 10.0.0.1 data.gpc0 5'), '')
  assert.equal(cmd(s, 'set table fe key 10.0.0.2 data.gpc0 1'), '')
  assert.equal(cmd(s, 'set table fe key 10.0.0.3'), '')
  assert.equal(fe.read(fe.lookup('10.0.0.1')!, DT.gpc0), 5)
  assert.equal(cmd(s, 'clear table fe data.gpc0 gt 2'), '')
  assert.deepEqual(fe.entries().map(e => e.key).sort(), ['10.0.0.2', '10.0.0.3'])
  assert.equal(cmd(s, 'clear table fe key 10.0.0.2'), '')
  fe.lookup('10.0.0.3')!.refs = 1
  assert.equal(cmd(s, 'clear table fe'), '')
  assert.deepEqual(fe.entries().map(e => e.key), ['10.0.0.3'], 'an entry in use stays')
  s.level = Level.user
  assert.equal(cmd(s, 'clear table fe'), 'Permission denied\n')
})
