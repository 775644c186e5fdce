// Reload of the keepalived file beside the proxy (root, namespaces): `pocketlb -f h.cfg
// --vrrp k.conf` as MASTER beside a keepalived peer. SIGHUP / the stats socket's
// `reload` re-read both files: an unrelated change leaves the instance's state alone,
// a VIP added while MASTER appears, an instance removed resigns, a broken file is
// refused as a whole, a lower priority hands the VIP to the peer (it preempts).
import { after, before, test } from 'node:test'
import assert from 'node:assert/strict'
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { Lan, sleep, until, vrrpConf, type Daemon } from './topo.ts'
import { cli as runtime, configHead } from '../../e2e/runtime/helpers.ts'

const VIP = '10.77.0.100'
let lan: Lan
before(() => { lan = new Lan(2) })
after(async () => { await lan.destroy() })

/** the proxy beside VRRP: one TCP listener, its stats socket (reachable from every namespace) */
const proxyCfg = (sock: string): string => `${configHead(sock, 'tcp')}listen app\n  bind 127.0.0.1:28090\n  server s1 127.0.0.1:28091\n`

const base = (prio: number): string => vrrpConf({ prio, version: 3, advert: '0.1' })
/** VI_1 with <extra> more virtual addresses */
const withVips = (text: string, extra: string[]): string => text.replace('    10.77.0.100/24\n', ['10.77.0.100/24', ...extra].map(a => `    ${a}\n`).join(''))
const SECOND_INSTANCE = `vrrp_instance VI_2 {
  state BACKUP
  interface eth0
  virtual_router_id 78
  priority 100
  advert_int 0.1
  virtual_ipaddress {
    10.77.0.110/24
  }
}
`

/** The keepalived file of <d> (from its command line): --vrrp's for the appliance, -f's for `pocketlb vrrp` */
const vrrpFileOf = (d: Daemon): string => { const a = d.proc.spawnargs; return a[(a.includes('--vrrp') ? a.indexOf('--vrrp') : a.indexOf('-f')) + 1]! }

/** Rewrites <d>'s keepalived file with <conf>, sends SIGHUP and waits for the reload's end; returns the lines it printed. */
async function sighup (d: Daemon, conf: string): Promise<string[]> {
  const from = d.lines.length
  writeFileSync(vrrpFileOf(d), conf)
  d.proc.kill('SIGHUP')
  assert.ok(await until(() => d.lines.slice(from).some(l => /Reloaded configuration|Reload complete|Reload refused/.test(l)), 10_000), d.lines.slice(from).join('\n'))
  return d.lines.slice(from)
}

test('reloads beside a keepalived peer: state kept, VIPs and instances follow the file, errors refused, lower priority → peer preempts', async () => {
  const sock = join(lan.dir, 'plb.sock')
  const plb = lan.startAppliance(1, proxyCfg(sock), base(150))
  const ka = lan.start(2, 'keepalived', base(100))
  assert.ok(await until(() => plb.state === 'MASTER' && ka.state === 'BACKUP', 10_000), `plb=${plb.state} ka=${ka.state}\n${plb.lines.join('\n')}`)
  assert.ok(await until(() => lan.hasVip(1, VIP), 2000))
  /** VI_1's state and transitions count, from `show vrrp json` */
  const vi1 = async (): Promise<string> => {
    const list = JSON.parse(await runtime(sock, 'show vrrp json')) as { name: string; state: string; counters: { transitions: number } }[]
    const i = list.find(x => x.name === 'VI_1')
    return `${i?.state} after ${i?.counters.transitions} transitions`
  }
  const before = await vi1()
  assert.match(before, /^MASTER after \d+ transitions$/)

  // an unrelated change (a second instance): VI_1 does not move, VI_2 starts INIT → BACKUP → MASTER (no peer for it)
  let said = await sighup(plb, base(150) + SECOND_INSTANCE)
  assert.ok(said.some(l => l.includes('Reloaded configuration.')), said.join('\n'))
  assert.ok(await until(() => plb.lines.some(l => l.includes('(VI_2) Entering MASTER STATE')) && lan.hasVip(1, '10.77.0.110'), 5000), plb.lines.join('\n'))
  assert.ok(plb.lines.some(l => l.includes('(VI_2) Entering BACKUP STATE')), 'a new instance starts as BACKUP')
  await sleep(1000)
  assert.equal(await vi1(), before, 'VI_1 went through no state change')
  assert.equal(ka.state, 'BACKUP')
  assert.ok(lan.hasVip(1, VIP))

  // a VIP added to VI_1 while MASTER appears; VI_2 removed: it resigns and its address goes
  said = await sighup(plb, withVips(base(150), ['10.77.0.101/24']))
  assert.ok(said.some(l => l.includes('Reloaded configuration.')), said.join('\n'))
  assert.ok(await until(() => lan.hasVip(1, '10.77.0.101') && !lan.hasVip(1, '10.77.0.110'), 3000), plb.lines.join('\n'))
  assert.equal(await vi1(), before)
  assert.ok(lan.hasVip(1, VIP))

  // a broken keepalived file: the stats socket's reload answers Success=0 with file:line; nothing changes
  writeFileSync(vrrpFileOf(plb), withVips(base(150), ['10.77.0.102/24']).replace('  advert_int 0.1\n', '  advert_int 0.1\n  priorty 50\n'))
  const answer = await runtime(sock, 'reload')
  assert.match(answer, /^Success=0\n--\n/)
  assert.match(answer, /keepalived-1-\d+\.conf:\d+: .*priorty/)
  await sleep(500)
  assert.ok(!lan.hasVip(1, '10.77.0.102'))
  assert.ok(lan.hasVip(1, '10.77.0.101'))
  assert.equal(await vi1(), before)

  // priority 50, below keepalived's 100: keepalived preempts, the VIPs move to node 2
  said = await sighup(plb, withVips(base(50), ['10.77.0.101/24']))
  assert.ok(said.some(l => l.includes('Reloaded configuration.')), said.join('\n'))
  assert.ok(await until(() => ka.state === 'MASTER' && plb.state === 'BACKUP', 5000), `plb=${plb.state} ka=${ka.state}\n${plb.lines.join('\n')}`)
  assert.ok(await until(() => lan.hasVip(2, VIP) && !lan.hasVip(1, VIP) && !lan.hasVip(1, '10.77.0.101'), 3000))
  assert.equal(await vi1(), `BACKUP after ${Number(/after (\d+)/.exec(before)![1]) + 1} transitions`, 'MASTER → BACKUP only, no INIT')
  await lan.terminate(plb)
  await lan.terminate(ka)
})

test('pocketlb vrrp alone: SIGHUP adds a VIP to the master in place; a broken file is refused and the master stays', async () => {
  const plb = lan.start(1, 'pocketlb', base(150))
  assert.ok(await until(() => plb.state === 'MASTER' && lan.hasVip(1, VIP), 10_000), plb.lines.join('\n'))
  let said = await sighup(plb, withVips(base(150), ['10.77.0.103/24']))
  assert.ok(said.some(l => l.endsWith('Reloading ...')) && said.some(l => l.endsWith('Reload complete')), said.join('\n'))
  assert.ok(await until(() => lan.hasVip(1, '10.77.0.103'), 3000), plb.lines.join('\n'))
  said = await sighup(plb, base(150).replace('virtual_router_id 77', 'virtual_router_id 777'))
  assert.ok(said.some(l => /\[ALERT\] \S+pocketlb-1-\d+\.conf:\d+: .*virtual_router_id/.test(l)), said.join('\n'))
  await sleep(500)
  assert.ok(lan.hasVip(1, '10.77.0.103') && lan.hasVip(1, VIP))
  // the instance's only states are the ones of its start: the reloads left it alone
  assert.deepEqual(plb.lines.flatMap(l => /Entering (\w+) STATE/.exec(l)?.[1] ?? []), ['BACKUP', 'MASTER'])
  await lan.terminate(plb)
})
