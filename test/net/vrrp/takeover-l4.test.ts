// The kernel L4 path across a VRRP takeover (root only): two appliances (`pocketlb -f h.cfg
// --vrrp k.conf`, the device's form) share a VIP, a keepalived virtual_server (rr, NAT) on
// VIP:8080 and a proxy frontend bound to VIP:80 on both (ip_nonlocal_bind, as the image).
// The backup checks the real servers too, takes no flow for the VIP while it does not hold
// it, and after a power cut of the master balances from the first connection the LAN
// sends it, over both servers in turn (the image pair test once saw "3 web1 + 1 failed":
// its LAN's servers changed MAC under lb2, guests.sh). A SYN that reached the backup before
// the takeover is balanced when retransmitted (no conntrack entry left to shadow the DNAT).
import { after, before, test } from 'node:test'
import assert from 'node:assert/strict'
import { spawn, spawnSync, type ChildProcess } from 'node:child_process'
import { createConnection } from 'node:net'
import { text } from 'node:stream/consumers'
import { join } from 'node:path'
import { Lan, sleep, until, type Daemon } from './topo.ts'

const VIP = '10.77.0.100'
const LB1 = 1; const LB2 = 2; const CLIENT = 3
const WEBS = [4, 5] as const
let lan: Lan
const webs: ChildProcess[] = []

before(() => {
  lan = new Lan(5)
  for (const n of [LB1, LB2]) spawnSync('ip', ['netns', 'exec', lan.ns(n), 'sysctl', '-qw', 'net.ipv4.ip_nonlocal_bind=1'])
  for (const n of WEBS) {
    // "<name> via <peer address>": the peer is the balancer that forwarded the flow
    const js = `require('http').createServer((q, r) => r.end('web${n - 3} via ' + q.socket.remoteAddress + '\\n')).listen(80, '0.0.0.0')`
    webs.push(spawn('ip', ['netns', 'exec', lan.ns(n), process.execPath, '-e', js], { stdio: 'ignore' }))
  }
})
after(async () => {
  for (const w of webs) w.kill('SIGKILL')
  await lan.destroy()
})

/** As the device's factory configuration (image/overlay), its frontend on the VIP as in the pair test, plus a stats socket. */
const proxyCfg = (sock: string): string => `global
  stats socket ${sock} level admin
defaults
  mode http
  timeout connect 5s
  timeout client 30s
  timeout server 30s
frontend lan_http
  bind ${VIP}:80
  default_backend farm
backend farm
  server web1 10.77.0.4:80 check inter 500
  server web2 10.77.0.5:80 check inter 500
`

const keepalivedConf = (prio: number): string => `global_defs {
  vrrp_version 3
}
vrrp_instance lan {
  state BACKUP
  interface eth0
  virtual_router_id 51
  priority ${prio}
  advert_int 0.2
  virtual_ipaddress {
    ${VIP}/24
  }
}
virtual_server ${VIP} 8080 {
  delay_loop 1
  lb_algo rr
  lb_kind NAT
  protocol TCP
${WEBS.map(n => `  real_server 10.77.0.${n} 80 {\n    TCP_CHECK {\n      connect_timeout 1\n    }\n  }\n`).join('')}}
`

interface RealServerView { addr: string; up: boolean; flows: number }

/** `show l4 json` on the runtime API's unix socket <path> (reachable from every namespace). */
async function realServers (path: string): Promise<RealServerView[]> {
  const sock = createConnection(path).setTimeout(3000, () => sock.destroy(new Error('no answer to show l4 json')))
  sock.write('show l4 json\n')
  const list = JSON.parse(await text(sock)) as { realServers: RealServerView[] }[]
  return list.flatMap(s => s.realServers)
}

/** The real servers of <sock>'s `show l4 json` once all are up, or the last view after <ms>. */
async function untilAllUp (sock: string, ms: number): Promise<RealServerView[]> {
  const end = performance.now() + ms
  let view: RealServerView[] = []
  while (performance.now() < end) {
    view = await realServers(sock).catch(() => [])
    if (view.length > 0 && view.every(s => s.up)) break
    await sleep(250)
  }
  return view
}

/** The client's neighbour entry for the VIP set to <mac> until replaced (a cache naming that node). */
const pinVip = (mac: string): void => { spawnSync('ip', ['-n', lan.ns(CLIENT), 'neigh', 'replace', VIP, 'lladdr', mac, 'dev', 'eth0', 'nud', 'permanent']) }

/** argv: host port count gapMs timeoutMs; one connection at a time, each a GET; prints one
 *  JSON line per attempt: ms since start, its wall clock, and the answer's first line or the failure. */
const PROBE_JS = `const net = require('net'); const [host, port, count, gap, tmo] = process.argv.slice(1).map((v, i) => i ? +v : v);
const t0 = Date.now();
const one = () => new Promise(res => { let body = ''; const s = net.connect(port, host);
  const fin = v => { clearTimeout(t); s.destroy(); res(v) }; const t = setTimeout(() => fin('timeout'), tmo);
  s.on('connect', () => s.write('GET / HTTP/1.0\\r\\n\\r\\n')); s.on('error', e => fin(e.code));
  s.on('data', d => { body += d; const m = /\\r\\n\\r\\n(.*)\\n/.exec(body); if (m) fin(m[1]) }); s.on('end', () => fin('closed')) });
(async () => { for (let i = 0; i < count; i++) { const at = Date.now(); const r = await one();
  console.log(JSON.stringify({ at: at - t0, wall: at, r })); await new Promise(ok => setTimeout(ok, Math.max(0, gap - (Date.now() - at)))) } })();`

interface Attempt { at: number; wall: number; r: string }

/** Runs the probe in the client namespace; resolves with every attempt once it ends. */
function probe (port: number, count: number, gapMs: number, timeoutMs: number): { done: Promise<Attempt[]>; started: number } {
  const p = spawn('ip', ['netns', 'exec', lan.ns(CLIENT), process.execPath, '-e', PROBE_JS, VIP, String(port), String(count), String(gapMs), String(timeoutMs)],
    { stdio: ['ignore', 'pipe', 'inherit'] })
  const started = performance.now()
  let out = ''
  p.stdout!.on('data', (b: Buffer) => { out += b.toString() })
  const done = new Promise<Attempt[]>(resolve => p.once('exit', () => resolve(out.split('\n').filter(Boolean).map(l => JSON.parse(l) as Attempt))))
  return { done, started }
}

/** Power cut of appliance <d> in node <n>: off the LAN first (nothing more leaves it), then the process. */
function powerCut (n: number, d: Daemon): void {
  lan.link(n, false)
  lan.crash(d)
}

const socks = (): readonly [string, string] => [join(lan.dir, 'lb1.sock'), join(lan.dir, 'lb2.sock')]
let lb2: Daemon

test('L4 virtual_server after a takeover: checked on the backup, balanced by the new master from its first flow', async t => {
  const lb1 = lan.startAppliance(LB1, proxyCfg(socks()[0]), keepalivedConf(150))
  lb2 = lan.startAppliance(LB2, proxyCfg(socks()[1]), keepalivedConf(100))
  assert.ok(await until(() => lb1.state === 'MASTER' && lb2.state === 'BACKUP', 20_000), `lb1=${lb1.state} lb2=${lb2.state}\n${lb2.lines.join('\n')}`)

  // the backup runs the L4 checks: both real servers are up in its rules before any takeover
  const backupView = await untilAllUp(socks()[1], 10_000)
  assert.deepEqual(backupView.map(s => [s.addr, s.up]), [['10.77.0.4', true], ['10.77.0.5', true]], JSON.stringify(backupView))
  assert.ok(!lan.hasVip(LB2, VIP))

  // a client whose ARP cache still names the backup: the backup forwards to the master, takes nothing itself
  pinVip(lan.mac(LB2))
  const viaBackup = await probe(8080, 4, 50, 2000).done
  assert.deepEqual(viaBackup.map(a => a.r).sort(), ['web1 via 10.77.0.1', 'web1 via 10.77.0.1', 'web2 via 10.77.0.1', 'web2 via 10.77.0.1'])
  const viaBackupHttp = await probe(80, 2, 50, 2000).done
  assert.deepEqual(viaBackupHttp.map(a => a.r.replace(/web\d/, 'web')), ['web via 10.77.0.1', 'web via 10.77.0.1'])
  await sleep(2500)   // show l4's snapshot is refreshed every 2 s
  assert.deepEqual((await realServers(socks()[1])).map(s => s.flows), [0, 0], 'the backup DNATed a flow for the VIP it does not hold')
  lan.setNeighbour(CLIENT, VIP, lan.mac(LB1))

  powerCut(LB1, lb1)
  const run = probe(8080, 60, 100, 1000)
  assert.ok(await until(() => lb2.state === 'MASTER', 5000), lb2.lines.join('\n'))
  const masterAt = lb2.masterAt - run.started
  const attempts = await run.done
  const first = attempts.findIndex(a => a.r.startsWith('web'))
  assert.ok(first >= 0, `no answer after the takeover: ${JSON.stringify(attempts)}`)
  t.diagnostic(`lb2 MASTER ${masterAt.toFixed(0)} ms after the power cut; first L4 answer to an attempt made at ${attempts[first]!.at} ms; ${first} attempt(s) lost before`)
  assert.ok(attempts[first]!.at - masterAt <= 1500, `the first answer came ${attempts[first]!.at - masterAt} ms after lb2 became master`)
  const answered = attempts.slice(first)
  // from the first answer on: nothing lost, every flow balanced by lb2, web1 and web2 in turn
  assert.deepEqual(answered.filter(a => !a.r.startsWith('web')), [], JSON.stringify(attempts))
  assert.ok(answered.every(a => a.r.endsWith(' via 10.77.0.2')), JSON.stringify(answered))
  const names = answered.map(a => a.r.slice(0, 4))
  assert.ok(names.every((n, i) => i === 0 || n !== names[i - 1]), `rr over two servers alternates: ${names.join(' ')}`)
  assert.ok(names.includes('web1') && names.includes('web2'))
})

test('a SYN that reached the backup before the takeover is balanced when retransmitted to the new master', async () => {
  // lb1 is back and preempts; a client still names lb2 (the master until then) for the VIP
  lan.link(LB1, true)
  const lb1 = lan.startAppliance(LB1, proxyCfg(socks()[0]), keepalivedConf(150))
  assert.ok(await until(() => lb1.state === 'MASTER' && lb2.state === 'BACKUP', 20_000), `lb1=${lb1.state} lb2=${lb2.state}`)
  assert.ok(await until(() => lan.hasVip(LB1, VIP) && !lan.hasVip(LB2, VIP), 2000))
  pinVip(lan.mac(LB2))

  // its SYN reaches lb2 while lb2 is the backup and lb1 is dead, the retransmit comes after the takeover
  powerCut(LB1, lb1)
  const run = probe(8080, 1, 0, 5000)
  assert.ok(await until(() => lb2.state === 'MASTER', 5000), lb2.lines.join('\n'))
  const [attempt] = await run.done
  assert.ok(attempt!.wall < performance.timeOrigin + lb2.masterAt, 'the first SYN was sent after the takeover')
  // a conntrack entry made for the first SYN, without DNAT, would deliver the retransmit locally: refused
  assert.match(attempt!.r, /^web[12] via 10\.77\.0\.2$/)
})
