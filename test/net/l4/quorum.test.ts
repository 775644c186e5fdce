// keepalived's virtual_server options in the kernel path (root, namespaces):
// quorum lost → the sorry server takes the new flows and quorum_down runs,
// gained → the real servers are back and quorum_up runs; notify_up/notify_down
// of the real servers; omega runs the down scripts at stop; alpha servers are
// only added after their first successful check; ha_suspend holds the checks of
// a service while its VIP is not on the balancer.
import { test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { existsSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { L4Lan, VIP, sh, sleep, tally, until } from './topo.ts'

let lan: L4Lan
const events = (): string[] => existsSync(join(lan.dir, 'events')) ? readFileSync(join(lan.dir, 'events'), 'utf8').trim().split('\n') : []
const say = (word: string): string => `"echo ${word} >> ${join(lan.dir, 'events')}"`

const conf = (): string => `virtual_server ${VIP} 80 {
  delay_loop 1
  retry 0
  lb_algo rr
  protocol TCP
  quorum 2
  omega
  quorum_up ${say('quorum-up')}
  quorum_down ${say('quorum-down')}
  sorry_server 10.88.0.13 8080
${[1, 2].map(n => `  real_server 10.88.0.1${n} 8080 {
    notify_up ${say(`s${n}-up`)}
    notify_down ${say(`s${n}-down`)}
    TCP_CHECK {
      connect_timeout 1
    }
  }
`).join('')}}
virtual_server ${VIP} 81 {
  delay_loop 1
  retry 0
  lb_algo rr
  protocol TCP
  alpha
  real_server 10.88.0.11 8080 {
    TCP_CHECK {
      connect_timeout 1
    }
  }
  real_server 10.88.0.12 9999 {
    TCP_CHECK {
      connect_timeout 1
    }
  }
}
virtual_server ${SUSPENDED_VIP} 82 {
  delay_loop 1
  retry 0
  lb_algo rr
  protocol TCP
  ha_suspend
  real_server 10.88.0.12 9998 {
    TCP_CHECK {
      connect_timeout 1
    }
  }
}
`

const VS80 = `[${VIP}]:tcp:80`
/** the VIP of the ha_suspend service: not on the balancer at start */
const SUSPENDED_VIP = '10.88.0.101'
const waitLine = async (text: string, from = 0): Promise<void> => {
  assert.ok(await until(() => lan.lines.slice(from).some(l => l.endsWith(text)), 8000), `${text}\n---\n${lan.lines.join('\n')}`)
}

before(async () => {
  lan = new L4Lan(3)
  lan.vip(true)
  lan.runVrrp(conf())
  assert.ok(await until(() => lan.lines.some(l => l.includes('Activated 3 virtual server(s)')), 15_000), lan.lines.join('\n'))
})

after(async () => { await lan.destroy() })

test('alpha: a server is added after its first successful check; one that never answers is never added nor removed', async () => {
  await waitLine(`Adding service [10.88.0.11]:tcp:8080 to VS [${VIP}]:tcp:81`)
  assert.deepEqual(tally(lan.clients('tcp', 81, 4)), { s1: 4 })
  await sleep(2500) // two more check rounds of the dead server
  assert.ok(!lan.lines.some(l => l.includes('10.88.0.12]:tcp:9999')), lan.lines.join('\n'))
  assert.ok(!lan.lines.some(l => /Lost quorum.*:81/.test(l)), 'the alpha service has live weight: its quorum stays')
})

test('ha_suspend: no check while the VIP is not here; checks resume when it is added (the dead server goes), stop when it leaves', async () => {
  const rs = `[10.88.0.12]:tcp:9998`
  const vs82 = `[${SUSPENDED_VIP}]:tcp:82`
  await waitLine(`Deactivating healthchecker for service ${rs} for VS ${vs82}`)
  await sleep(2500) // two check rounds of the others
  assert.ok(!lan.lines.some(l => l.includes(`Removing service ${rs}`)), lan.lines.join('\n'))
  const from = lan.lines.length
  sh(['ip', '-n', lan.ns('lb'), 'addr', 'add', `${SUSPENDED_VIP}/32`, 'dev', 'eth0'])
  await waitLine(`Activating healthchecker for service ${rs} for VS ${vs82}`, from)
  await waitLine(`Removing service ${rs} from VS ${vs82}`, from)
  sh(['ip', '-n', lan.ns('lb'), 'addr', 'del', `${SUSPENDED_VIP}/32`, 'dev', 'eth0'])
  await waitLine(`Deactivating healthchecker for service ${rs} for VS ${vs82}`, from)
})

test('quorum 2: one server down loses it (sorry server, quorum_down, notify_down); back up gains it (quorum_up, notify_up); omega runs the down scripts at reload and stop', async () => {
  assert.deepEqual(tally(lan.clients('tcp', 80, 4)), { s1: 2, s2: 2 })
  assert.deepEqual(events(), [], 'no script at start: every server starts up')
  const from = lan.lines.length
  await lan.killBackend(2)
  await waitLine(`Lost quorum 2-0=2 > 1 for VS ${VS80}`, from)
  await waitLine(`Adding sorry server [10.88.0.13]:tcp:8080 to VS ${VS80}`, from)
  assert.ok(await until(() => events().length === 2, 3000), events().join(','))
  assert.deepEqual(events().sort(), ['quorum-down', 's2-down'])
  // below quorum the remaining real server is out too: the sorry server takes every new flow
  assert.deepEqual(tally(lan.clients('tcp', 80, 4)), { s3: 4 })

  const back = lan.lines.length
  lan.startBackend(2)
  await waitLine(`Gained quorum 2+0=2 <= 2 for VS ${VS80}`, back)
  await waitLine(`Removing sorry server [10.88.0.13]:tcp:8080 from VS ${VS80}`, back)
  assert.ok(await until(() => events().length === 4, 3000), events().join(','))
  assert.deepEqual(events().slice(2).sort(), ['quorum-up', 's2-up'])
  assert.ok(await until(() => { const t = tally(lan.clients('tcp', 80, 4)); return t.s1 === 2 && t.s2 === 2 }, 5000), 'both real servers serve again')

  // omega on a reload: the live server taken out of the file runs its notify_down (the quorum, reduced to 1 by the load, stays)
  const reload = lan.lines.length
  writeFileSync(join(lan.dir, 'keepalived.conf'), conf().replace(/  real_server 10\.88\.0\.11 8080 \{[^}]*\}\n  \}\n/, ''))
  lan.runner!.kill('SIGHUP')
  await waitLine('Reload complete', reload)
  assert.ok(await until(() => events().length === 5, 3000), events().join(','))
  assert.equal(events()[4], 's1-down')
  assert.ok(!lan.lines.slice(reload).some(l => /(Lost|Gained) quorum/.test(l)), lan.lines.slice(reload).join('\n'))

  assert.equal(await lan.stopRunner(), 0)
  assert.ok(await until(() => events().length === 7, 3000), events().join(','))
  assert.deepEqual(events().slice(5).sort(), ['quorum-down', 's2-down'], 'omega: the live servers\' notify_down and the quorum_down')
})
