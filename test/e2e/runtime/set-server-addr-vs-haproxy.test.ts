/** `set server <b>/<s> addr <ip> [port <p>]`, `check-addr`, `check-port` and the
 *  `agent-*` ones on the stats socket, compared with HAProxy 2.6 on the same
 *  configuration: the answers and errors word for word, `show servers state`
 *  afterwards, where new and established connections go, and where the health
 *  checks and agents go. Servers are reached on 127.0.0.1 and 127.0.0.2 (both
 *  loopback) on the same port. */
import { test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { createServer, connect, type Server, type Socket } from 'node:net'
import { mkdirSync } from 'node:fs'
import { join } from 'node:path'
import { startOurs, startHaproxy, cli, tempDir } from './helpers.ts'
import { freePorts } from '../../helpers/net.ts'
import { sleep } from '../../helpers/wait.ts'

const dir = tempDir()
const closers: (() => Promise<void>)[] = []
after(async () => { for (const c of closers.reverse()) await c(); dir.remove() })

/** A TCP app on <host>:<port> that answers each read with "<name>:<what it read>". */
async function nameApp (host: string, port: number, name: string): Promise<Server> {
  const conns = new Set<Socket>()
  const srv = createServer(s => {
    conns.add(s)
    s.on('close', () => conns.delete(s))
    s.on('error', () => {})
    s.on('data', d => s.write(`${name}:${d.toString('latin1')}`))
  })
  await new Promise<void>((resolve, reject) => { srv.once('error', reject); srv.listen(port, host, () => resolve()) })
  closers.push(() => new Promise(resolve => { for (const s of conns) s.destroy(); srv.close(() => resolve()) }))
  return srv
}

interface Side { sock: string; port: number }
const sides: { hap?: Side; plb?: Side } = {}
let appPort = 0
let deadPort = 0
let agentPort = 0

function config (sock: string, port: number): string {
  return `global
  stats socket ${sock} level admin
defaults
  mode tcp
  timeout connect 1s
  timeout client 5s
  timeout server 5s
listen l
  bind 127.0.0.1:${port}
  server s1 127.0.0.1:${appPort}
  server s2 127.0.0.3:${appPort} check inter 100 rise 1 fall 1
  server s3 127.0.0.3:${appPort} check inter 100 rise 1 fall 1 port ${deadPort}
  server s4 127.0.0.1
  server s5 ${join(dir.path, 'nowhere.sock')}
backend b2
  server s6 127.0.0.1:${appPort} check inter 100 addr 127.0.0.4 port ${deadPort}
  server s7 127.0.0.1:${appPort} check inter 100 agent-check agent-port ${agentPort} agent-inter 100
`
}

before(async () => {
  const ports = await freePorts(5)
  appPort = ports[0]
  deadPort = ports[1]
  agentPort = ports[4]
  // an agent on 127.0.0.2 only, which says "down" (on 127.0.0.1 nothing answers: no verdict)
  const agent = createServer(s => { s.on('error', () => {}); s.end('down\n') })
  await new Promise<void>(resolve => agent.listen(agentPort, '127.0.0.2', () => resolve()))
  closers.push(() => new Promise(resolve => agent.close(() => resolve())))
  // the same port on two loopback addresses: "a" on 127.0.0.1, "b" on 127.0.0.2
  await nameApp('127.0.0.1', appPort, 'a')
  await nameApp('127.0.0.2', appPort, 'b')
  for (const [side, port] of [['hap', ports[2]], ['plb', ports[3]]] as const) {
    const d = join(dir.path, side)
    mkdirSync(d)
    const sock = join(d, 'admin.sock')
    const stop = side === 'hap' ? (await startHaproxy(config(sock, port), d, port)).stop : (await startOurs(config(sock, port), d)).stop
    closers.push(stop)
    sides[side] = { sock, port }
  }
})

/** Runs <lines> on both stats sockets; returns both transcripts. */
async function both (lines: readonly string[]): Promise<[string[], string[]]> {
  const run = async (s: Side): Promise<string[]> => { const out: string[] = []; for (const l of lines) out.push(`> ${l}\n${await cli(s.sock, l)}`); return out }
  return [await run(sides.hap!), await run(sides.plb!)]
}

/** Columns of `show servers state l` that an address change moves: name, addr, port, check port and addr, agent addr and port. */
async function addresses (s: Side): Promise<string[]> {
  const out = await cli(s.sock, 'show servers state')
  return out.split('\n').filter(l => /^\d+ /.test(l)).map(l => { const f = l.split(' '); return [f[3], f[4], f[18], f[21], f[22], f[23], f[24]].join(' ') })
}

/** Operational state (srv_op_state: 0 down, 2 up) of each server, by name. */
async function opStates (s: Side): Promise<string> {
  const out = await cli(s.sock, 'show servers state l')
  return out.split('\n').filter(l => /^\d+ l /.test(l)).map(l => { const f = l.split(' '); return `${f[3]}=${f[5]}` }).join(' ')
}

/** Sends "<what>" on <c> and waits for the answer. */
function ask (c: Socket, what: string): Promise<string> {
  return new Promise(resolve => {
    const t = setTimeout(() => resolve('(no answer)'), 2000)
    c.once('data', d => { clearTimeout(t); resolve(d.toString('latin1')) })
    c.write(what)
  })
}

async function open (port: number): Promise<Socket> {
  const c = connect(port, '127.0.0.1')
  c.on('error', () => {})
  await new Promise(resolve => c.once('connect', resolve))
  closers.push(async () => { c.destroy() })
  return c
}

test('set server addr / check-addr / check-port: answers and errors as HAProxy, show servers state follows', async () => {
  const lines = [
    'set server l/s1 addr',
    'set server l/s1 addr 127.0.0.1',
    'set server l/s1 addr not-an-ip',
    'set server l/s1 addr 127.0.0.01',
    'set server l/s1 addr localhost',
    'set server l/s1 addr ::1',
    'set server l/s1 addr 0::1',
    'set server l/s1 addr [::1] port 8080',
    'set server l/s1 addr 127.0.0.1 port 8080',
    `set server l/s1 addr 127.0.0.1 port ${appPort}`,
    'set server l/s1 addr 127.0.0.1 port',
    'set server l/s1 addr 127.0.0.1 port abc',
    'set server l/s1 addr 127.0.0.1 port +10',
    'set server l/s1 addr 127.0.0.1 port 70000',
    'set server l/s1 addr 127.0.0.1 port 12x',
    `set server l/s1 addr 127.0.0.1 port ${appPort}`,
    'set server l/s1 addr 127.0.0.1 other 5',
    'set server l/s4 addr 127.0.0.1 port +10',
    'set server l/s4 addr 127.0.0.1 port -5',
    'set server l/s4 addr 127.0.0.1 port 0',
    'set server l/s4 addr 127.0.0.1 port 81',
    'set server l/s4 addr 127.0.0.1 port +3',
    'set server l/s5 addr 127.0.0.1',
    'set server l/nope addr 127.0.0.1',
    'set server l/s1 check-port 80',
    'set server l/s1 check-port',
    'set server l/s1 check-addr 127.0.0.1',
    'set server l/s2 check-port',
    'set server l/s2 check-port abc',
    'set server l/s2 check-port +5',
    'set server l/s2 check-port -1',
    'set server l/s2 check-port 70000',
    'set server l/s2 check-addr',
    'set server l/s2 check-addr nope',
    'set server l/s2 check-addr 127.0.0.3 port x',
    'set server l/s2 check-port 0',
    'set server l/s2 check-addr 0.0.0.0',
    'set server l/s2 check-addr ::1 port 0',
    'set server l/s2 check-addr 0.0.0.0',
    'set server b2/s6 check-addr 127.0.0.5 port 9',
    'set server b2/s6 addr 127.0.0.2 port 7',
    'set server b2/s6 agent-addr 127.0.0.2',
    'set server b2/s6 agent-port 80',
    'set server b2/s6 agent-send x',
    'set server b2/s7 agent-addr',
    'set server b2/s7 agent-addr nope',
    'set server b2/s7 agent-addr 127.0.0.9 port x',
    'set server b2/s7 agent-port',
    'set server b2/s7 agent-port 70000',
    'set server b2/s7 agent-send',
    'set server b2/s7 fqdn db.example',
    'set server b2/s7 ssl on'
  ]
  const [h, p] = await both(lines)
  for (let i = 0; i < lines.length; i++) assert.equal(p[i], h[i])
  assert.deepEqual(await addresses(sides.plb!), await addresses(sides.hap!))
})

test('after set server addr, new connections go to the new address, established ones stay', async () => {
  for (const s of [sides.hap!, sides.plb!]) {
    await cli(s.sock, `set server l/s1 addr 127.0.0.1 port ${appPort}`)
    // s1 is the only server up for traffic besides the checked ones (down or moved below): use it alone
    for (const other of ['s2', 's3', 's4', 's5']) await cli(s.sock, `set server l/${other} state maint`)
    const before = await open(s.port)
    assert.equal(await ask(before, 'x'), 'a:x')
    assert.match(await cli(s.sock, 'set server l/s1 addr 127.0.0.2'), /^IP changed from '127\.0\.0\.1' to '127\.0\.0\.2'/)
    const afterMove = await open(s.port)
    assert.equal(await ask(afterMove, 'y'), 'b:y', 'a new connection goes to the new address')
    assert.equal(await ask(before, 'z'), 'a:z', 'the established connection stays')
    for (const other of ['s2', 's3', 's4', 's5']) await cli(s.sock, `set server l/${other} state ready`)
  }
})

test('health checks follow the address unless the server has its own check port or address', async () => {
  const states = async (): Promise<[string, string]> => [await opStates(sides.hap!), await opStates(sides.plb!)]
  const settled = async (want: RegExp): Promise<[string, string]> => {
    let st: [string, string] = ['', '']
    for (let i = 0; i < 30; i++) { st = await states(); if (want.test(st[0]) && want.test(st[1])) break; await sleep(100) }
    return st
  }
  // the any-address is "none": s2's checks go to the server again
  for (const s of [sides.hap!, sides.plb!]) await cli(s.sock, 'set server l/s2 check-addr 0.0.0.0 port 0')
  // s2 and s3 check 127.0.0.3, where nothing listens: both down
  let [h, p] = await settled(/s2=0 s3=0/)
  assert.match(h, /s2=0 s3=0/)
  assert.equal(p, h)
  // moved to the app: s2's checks follow it, s3's keep their own port (nothing there)
  for (const s of [sides.hap!, sides.plb!]) {
    await cli(s.sock, 'set server l/s2 addr 127.0.0.1')
    await cli(s.sock, 'set server l/s3 addr 127.0.0.1')
  }
  ;[h, p] = await settled(/s2=2 s3=0/)
  assert.match(h, /s2=2 s3=0/)
  assert.equal(p, h)
  // a check port where the app listens: s3 comes up
  for (const s of [sides.hap!, sides.plb!]) await cli(s.sock, `set server l/s3 check-port ${appPort}`)
  ;[h, p] = await settled(/s2=2 s3=2/)
  assert.match(h, /s2=2 s3=2/)
  assert.equal(p, h)
  // a check address of its own where nothing listens: s2 goes down though the server is fine
  for (const s of [sides.hap!, sides.plb!]) await cli(s.sock, 'set server l/s2 check-addr 127.0.0.3')
  ;[h, p] = await settled(/s2=0 s3=2/)
  assert.match(h, /s2=0 s3=2/)
  assert.equal(p, h)
})

test('the agent is asked where agent-addr says', async () => {
  const b2 = async (side: Side): Promise<string> => (await cli(side.sock, 'show servers state b2')).split('\n').filter(l => / s7 /.test(l)).map(l => `s7=${l.split(' ')[5]}`).join('')
  // nothing answers on 127.0.0.1: the agent gives no verdict, s7 stays up
  assert.equal(await b2(sides.hap!), 's7=2')
  assert.equal(await b2(sides.plb!), 's7=2')
  for (const s of [sides.hap!, sides.plb!]) await cli(s.sock, 'set server b2/s7 agent-addr 127.0.0.2')
  let st = ['', '']
  for (let i = 0; i < 30 && !(st[0] === 's7=0' && st[1] === 's7=0'); i++) { await sleep(100); st = [await b2(sides.hap!), await b2(sides.plb!)] }
  assert.deepEqual(st, ['s7=0', 's7=0'], 'the agent at the new address says down')
})
