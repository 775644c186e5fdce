// vrrp_sync_group in namespaces (root only): pocketlb and keepalived each with the
// group G { VI_1 VI_2 }. A failing vrrp_script on VI_1 only puts pocketlb's whole
// group in Fault, keepalived takes both VIPs; when the script recovers pocketlb takes
// both back together (keepalived's VI_1 falls back and its group follows).
import { after, before, test } from 'node:test'
import assert from 'node:assert/strict'
import { rmSync, writeFileSync } from 'node:fs'
import { Lan, until } from './topo.ts'

const VIPS = ['10.77.0.100', '10.77.0.101']
let lan: Lan
before(() => { lan = new Lan(2) })
after(async () => { await lan.destroy() })

function groupConf (prio: number, script: string | null): string {
  const inst = (n: number): string => `vrrp_instance VI_${n} {
  state BACKUP
  interface eth0
  virtual_router_id ${76 + n}
  priority ${prio}
  advert_int 0.1
${script && n === 1 ? '  track_script {\n    chk\n  }\n' : ''}  virtual_ipaddress {
    ${VIPS[n - 1]}/24
  }
}
`
  return `global_defs {
  router_id plbv
  vrrp_version 3
  vrrp_garp_master_delay 1
${script ? '  enable_script_security\n  script_user root\n' : ''}}
${script ? `vrrp_script chk {\n  script "${script}"\n  interval 0.2\n  fall 1\n  rise 1\n}\n` : ''}${inst(1)}${inst(2)}vrrp_sync_group G {
  group {
    VI_1
    VI_2
  }
}
`
}

/** States of both instances of a daemon, from its log lines "(VI_n) Entering X STATE". */
function states (lines: readonly string[]): string {
  const last: Record<string, string> = {}
  for (const l of lines) { const m = /\((VI_\d)\) Entering (\w+) STATE/.exec(l); if (m) last[m[1]!] = m[2]! }
  return `${last.VI_1 ?? ''}/${last.VI_2 ?? ''}`
}

test('sync group against keepalived: Fault of one member moves both; recovery takes both back', async () => {
  const flag = `${lan.dir}/healthy`
  writeFileSync(flag, '')
  const plb = lan.start(1, 'pocketlb', groupConf(150, `test -f ${flag}`))
  const ka = lan.start(2, 'keepalived', groupConf(100, null))
  const both = (n: number): boolean => VIPS.every(v => lan.hasVip(n, v))
  const none = (n: number): boolean => VIPS.every(v => !lan.hasVip(n, v))
  assert.ok(await until(() => states(plb.lines) === 'MASTER/MASTER' && states(ka.lines) === 'BACKUP/BACKUP', 10_000),
    `plb=${states(plb.lines)} ka=${states(ka.lines)}\n${plb.lines.join('\n')}`)
  assert.ok(await until(() => both(1) && none(2), 2000))

  rmSync(flag)                                              // VI_1's script fails: the whole group goes to Fault
  assert.ok(await until(() => states(plb.lines) === 'FAULT/FAULT' && states(ka.lines) === 'MASTER/MASTER', 3000),
    `plb=${states(plb.lines)} ka=${states(ka.lines)}\n${plb.lines.join('\n')}`)
  assert.ok(await until(() => both(2) && none(1), 2000))

  writeFileSync(flag, '')
  assert.ok(await until(() => states(plb.lines) === 'MASTER/MASTER' && states(ka.lines) === 'BACKUP/BACKUP', 5000),
    `plb=${states(plb.lines)} ka=${states(ka.lines)}\n${plb.lines.join('\n')}\n${ka.lines.join('\n')}`)
  assert.ok(await until(() => both(1) && none(2), 2000))
  assert.ok(plb.lines.some(l => /VRRP_Group\(G\) Syncing instances to MASTER state/.test(l)), plb.lines.join('\n'))
})
