/** The health-check columns of `show stat` and the typed/json forms, compared
 *  with HAProxy 2.6 on the same configuration: a live HTTP server checked
 *  with httpchk, a dead one, one without checks, one whose agent does not
 *  answer, and one in maintenance from the config. */
import { test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { mkdirSync } from 'node:fs'
import { join } from 'node:path'
import { startBackends, startOurs, startHaproxy, cli, tempDir, csvRows, type Backends, type Ours, type Haproxy } from './helpers.ts'
import { freePorts } from '../../helpers/net.ts'

let backends: Backends
let ours: Ours
let haproxy: Haproxy
const dir = tempDir()
const sockets: string[] = []

function config (sock: string, port: number, live: number, dead: number, agent: number): string {
  return `global
  stats socket ${sock} level admin
defaults
  mode http
  timeout connect 1s
  timeout client 5s
  timeout server 5s
frontend fe
  bind 127.0.0.1:${port}
  default_backend bk
backend bk
  option httpchk GET /
  server live 127.0.0.1:${live} check inter 150 rise 2 fall 3
  server dead 127.0.0.1:${dead} check inter 150 rise 2 fall 3
  server nock 127.0.0.1:${live}
  server ag 127.0.0.1:${live} check inter 150 agent-check agent-port ${agent} agent-inter 150
  server off 127.0.0.1:${live} check inter 150 disabled
  server q 127.0.0.1:${live} maxconn 2 maxqueue 7
`
}

before(async () => {
  backends = await startBackends(1)
  const [dead, agent, ...ports] = await freePorts(4)
  for (const name of ['haproxy', 'ours']) {
    mkdirSync(join(dir.path, name))
    sockets.push(join(dir.path, name, 'admin.sock'))
  }
  haproxy = await startHaproxy(config(sockets[0], ports[0], backends.ports[0], dead, agent), join(dir.path, 'haproxy'), ports[0])
  ours = await startOurs(config(sockets[1], ports[1], backends.ports[0], dead, agent), join(dir.path, 'ours'))
  // several check rounds on both sides: the dead server is DOWN, the live one fully UP
  await new Promise(resolve => setTimeout(resolve, 1200))
})

after(async () => {
  await haproxy?.stop()
  await ours?.stop()
  await backends?.close()
  dir.remove()
})

const both = async (line: string): Promise<[string, string]> => [await cli(sockets[0], line), await cli(sockets[1], line)]

/** Columns compared by value; durations and ages only by presence. */
const SAME_VALUE = ['status', 'chkfail', 'chkdown', 'check_status', 'check_code', 'last_chk', 'check_desc', 'check_rise',
  'check_fall', 'check_health', 'agent_status', 'agent_code', 'last_agt', 'agent_desc', 'agent_rise', 'agent_fall',
  'agent_health', 'qlimit', 'act', 'bck']
const PRESENT = ['check_duration', 'agent_duration', 'downtime', 'lastchg']

/** Where <o>'s check columns differ from HAProxy's <h> (empty when they agree). */
function differences (h: string[][], o: string[][]): string[] {
  const out: string[] = []
  const noStar = (v: string): string => v.replace(/^\* /, '')
  for (let i = 1; i < h.length; i++) {
    const which = h[i][1]
    const filled = h[0].filter((_c, k) => (o[i][k] === '') !== (h[i][k] === ''))
    if (filled.length > 0) out.push(`${which}: columns filled differently: ${filled.join(' ')}`)
    for (const c of SAME_VALUE) {
      const k = h[0].indexOf(c)
      if (noStar(o[i][k]) !== noStar(h[i][k])) out.push(`${which} column ${c}: ${o[i][k]} (HAProxy ${h[i][k]})`)
    }
    for (const c of PRESENT) {
      const k = h[0].indexOf(c)
      if ((o[i][k] === '') !== (h[i][k] === '')) out.push(`${which} column ${c} present: ${o[i][k] !== ''} (HAProxy ${h[i][k] !== ''})`)
    }
  }
  return out
}

test('check columns of show stat are HAProxy\'s', async () => {
  // checks run every 150 ms on both sides and a running check reads check_code 0 (HAProxy clears it at each
  // step): a snapshot taken while one side is mid-check is taken again, a few times at most
  let h: string[][] = []
  let o: string[][] = []
  let diff: string[] = []
  for (let attempt = 0; attempt < 5; attempt++) {
    [h, o] = (await both('show stat')).map(csvRows)
    assert.equal(o[0].join(','), h[0].join(','))
    assert.deepEqual(o.map(r => r[1]), h.map(r => r[1]))
    diff = differences(h, o)
    if (diff.length === 0) break
    await new Promise(resolve => setTimeout(resolve, 40))
  }
  assert.deepEqual(diff, [])
  const dead = o.find(r => r[1] === 'dead')!
  assert.equal(dead[h[0].indexOf('check_status')].replace(/^\* /, ''), 'L4CON')
  assert.ok(Number(dead[h[0].indexOf('downtime')]) <= 2)
})

test('show stat typed: the same fields with the same tags and types', async () => {
  const key = (t: string): string[] => t.split('\n').filter(l => l !== '').map(l => l.split(':').slice(0, 3).join(':'))
  const [h, o] = await both('show stat typed')
  assert.deepEqual(key(o), key(h))
  const value = (t: string, name: string): string | undefined =>
    t.split('\n').find(l => l.startsWith(`S.2.2.`) && l.includes(`.${name}.1:`))?.split(':').slice(3).join(':')
  for (const f of ['check_status', 'check_desc', 'chkfail', 'svname']) assert.equal(value(o, f), value(h, f), f)
})

test('show stat json: the same objects, fields, tags and value types', async () => {
  type Field = { objType: string; proxyId: number; id: number; field: { pos: number; name: string }; processNum: number
    tags: Record<string, string>; value: { type: string; value: unknown } }
  const [h, o] = (await both('show stat json')).map(t => JSON.parse(t) as Field[][])
  const shape = (objs: Field[][]): unknown => objs.map(fs => fs.map(f => ({ ...f, value: { type: f.value.type, kind: typeof f.value.value } })))
  assert.deepEqual(shape(o), shape(h))
  const status = (objs: Field[][]): unknown => objs.map(fs => fs.find(f => f.field.name === 'status')?.value.value)
  assert.deepEqual(status(o), status(h))
})

test('show errors and its proxy filter answer as HAProxy', async () => {
  const mask = (t: string): string => t.replace(/\[[^\]]+\]/, '[DATE]')
  for (const line of ['show errors', 'show errors fe', 'show errors nope', 'show errors bk response']) {
    const [h, o] = await both(line)
    assert.equal(mask(o), mask(h), line)
  }
})
