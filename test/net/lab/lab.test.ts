// `npm run lab` end to end (root only): the lab comes up under its own prefix, the
// client is answered through the VIP, killing the master fails over to lb2 and the
// client keeps being answered, restore brings lb1 back as master, and `down`
// leaves no namespace, link, process or state behind.
import { after, test } from 'node:test'
import assert from 'node:assert/strict'
import { existsSync } from 'node:fs'
import { loadState, type Service } from '../../../scripts/lab/services.ts'
import { clientGet, vipHolder } from '../../../scripts/lab/status.ts'
import { topology } from '../../../scripts/lab/topology.ts'
import { sleep } from '../../helpers/wait.ts'
import { freeRange } from '../../helpers/net.ts'
import { answeredBy, answeredWithin as answeredWithinOf, labCommand, leftovers } from './run-lab.ts'

const PREFIX = `plt-${process.pid}`
const t = topology(PREFIX)

/** Host loopback ports of lb1's and lb2's UI forwarders */
const UI = await freeRange(2)
const lab = (...args: string[]): { code: number | null; out: string } =>
  labCommand({ PLB_LAB_PREFIX: PREFIX, PLB_LAB_UI_PORT: String(UI) }, 150_000, ...args)
const answeredWithin = (lb: string, ms: number): Promise<number> => answeredWithinOf(t, lb, ms)

let services: Service[] = []
after(() => { lab('down') })

test('lab: up, failover on master kill, restore, down leaves nothing', async tt => {
  const upRun = lab('up')
  assert.equal(upRun.code, 0, upRun.out)
  assert.match(upRun.out, new RegExp(`ip netns exec ${PREFIX}-client curl http://10\\.77\\.0\\.100/`))
  services = loadState(PREFIX)!.services
  assert.equal(services.length, 11)

  // each lb's web UI from the host's loopback, with the setup token printed for its first start
  for (const [i, lb] of ['lb1', 'lb2'].entries()) {
    const line = new RegExp(`http://127\\.0\\.0\\.1:${UI + i}/  ${lb}, setup token (\\S+) \\(first start`).exec(upRun.out)
    assert.ok(line, upRun.out)
    const page = await fetch(`http://127.0.0.1:${UI + i}/`)
    assert.equal(page.status, 200)
    assert.match(await page.text(), /<title>pocketlb<\/title>/)
    const setup = await fetch(`http://127.0.0.1:${UI + i}/api/auth/setup`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ token: line[1], password: 'lab-admin-pass' }) })
    assert.equal(setup.status, 200, `${lb}: the printed token sets the admin up`)
  }

  assert.equal(vipHolder(t)?.name, 'lb1')
  // the client's ARP entry for the VIP follows lb1's gratuitous ARPs (lb2 may have held it for a moment at start)
  assert.ok(await answeredWithin('lb1', 5_000) >= 0, `lb1 does not answer through the VIP\n${lab('status').out}`)
  const first = clientGet(t)
  assert.match(first ?? '', /^web[123]: GET \/ from 10\.77\.0\.10 via /)
  assert.equal(answeredBy(first), 'lb1')

  const failed = lab('fail', 'master')
  assert.equal(failed.code, 0, failed.out)
  assert.match(failed.out, /^lb1 is off/)
  const failover = await answeredWithin('lb2', 15_000)
  assert.ok(failover >= 0, `lb2 never answered through the VIP\n${lab('status').out}`)
  tt.diagnostic(`client answered by lb2 ${failover.toFixed(0)} ms after the master was killed (advert 1 s)`)
  for (let i = 0; i < 10; i++) assert.equal(answeredBy(clientGet(t)), 'lb2', `request ${i} after the failover`)
  const status = lab('status')
  assert.match(status.out, /VIP 10\.77\.0\.100: held by lb2/)
  assert.match(status.out, /lb1-proxy DEAD, lb1-ui-forward DEAD, lb1-vrrp DEAD/)
  assert.match(status.out, /servers as lb2 sees them: web1 UP, web2 UP, web3 UP/)

  const restored = lab('restore')
  assert.equal(restored.code, 0, restored.out)
  assert.match(restored.out, /restarted lb1-proxy, lb1-ui-forward, lb1-vrrp/)
  assert.ok(await answeredWithin('lb1', 20_000) >= 0, `lb1 did not take the VIP back\n${lab('status').out}`)
  let uiBack = false
  for (let i = 0; i < 50 && !uiBack; i++) {
    uiBack = await fetch(`http://127.0.0.1:${UI}/api/auth/state`).then(r => r.status === 200, () => false)
    if (!uiBack) await sleep(200)
  }
  assert.ok(uiBack, 'lb1\'s UI is back behind its forwarder')

  const last = loadState(PREFIX)!.services
  const downRun = lab('down')
  assert.equal(downRun.code, 0, downRun.out)
  const left = leftovers(PREFIX, [...services, ...last], new RegExp(PREFIX))
  assert.deepEqual(left.namespaces, [])
  assert.ok(!left.links, 'a lab link is left in the host namespace')
  assert.deepEqual(left.alive, [], 'lab processes still running')
  assert.equal(loadState(PREFIX), null)
  await assert.rejects(fetch(`http://127.0.0.1:${UI}/`), 'the UI forwarder is stopped')
  assert.ok(!existsSync(`/run/pocketlb-lab/${PREFIX}`))
})
