// The VRRP page's "simulate failure" demo, end to end in network namespaces
// (root only): the appliance (`pocketlb -f h.cfg --vrrp k.conf --ui …`) in
// node 1 beside a keepalived peer in node 2, Debian's Chromium started inside
// node 1's namespace so that it reaches the UI there. Switch on → the peer
// becomes MASTER and takes the VIP; off → this node preempts it back. The L4
// page shows the keepalived file's virtual_server with one real server up and
// one down. The timeline says why each transition happened; the switch left on
// survives a restart of the appliance (it comes back in FAULT, never MASTER).
import { test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { spawn, type ChildProcess } from 'node:child_process'
import { chmodSync, mkdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { chromium, type Browser, type Page } from 'playwright-core'
import { Lan, until, vrrpConf, type Daemon } from '../net/vrrp/topo.ts'
import { planeConfig } from '../e2e/ui/harness.ts'

const shots = new URL('../../test-artifacts/ui/', import.meta.url).pathname
const MAIN = new URL('../../src/main.ts', import.meta.url).pathname
const VIP = '10.77.0.100'
/** inside node 1's own namespace: no other test can hold it */
const UI = '127.0.0.1:18080'

let lan: Lan
let ka: Daemon
let plb: ChildProcess
let state = ''
let token = ''
let lines: string[] = []
let startAppliance: () => void
let realServer: ChildProcess
let browser: Browser
let page: Page

// the real server 10.77.0.2:8080 answers (node 2), 10.77.0.9 does not exist
const virtualServer = `virtual_server ${VIP} 80 {
  delay_loop 1
  lb_algo rr
  protocol TCP
${['10.77.0.2', '10.77.0.9'].map(a => `  real_server ${a} 8080 {\n    TCP_CHECK {\n      connect_timeout 1\n    }\n  }\n`).join('')}}
`

before(async () => {
  mkdirSync(shots, { recursive: true })
  lan = new Lan(2)
  const h = join(lan.dir, 'haproxy.cfg'); const k = join(lan.dir, 'keepalived.conf')
  writeFileSync(h, planeConfig(28080, [28081, 28082]))
  writeFileSync(k, vrrpConf({ prio: 150, version: 3, advert: '0.2' }) + virtualServer)
  realServer = spawn('ip', ['netns', 'exec', lan.ns(2), process.execPath, '-e', "require('net').createServer(s => s.end()).listen(8080, '10.77.0.2')"], { stdio: 'ignore' })
  startAppliance = () => {
    const mine: string[] = lines = []
    state = ''
    plb = spawn('ip', ['netns', 'exec', lan.ns(1), process.execPath, '--import', 'tsx', MAIN, '-f', h, '--vrrp', k, '--ui', UI, '--store', join(lan.dir, 'ui.db')],
      { stdio: ['ignore', 'pipe', 'pipe'] })
    for (const s of [plb.stdout!, plb.stderr!]) {
      s.on('data', (b: Buffer) => {
        for (const line of b.toString().split('\n').filter(Boolean)) {
          mine.push(line)
          const m = /Entering (MASTER|BACKUP|FAULT) STATE/.exec(line)
          if (m !== null) state = m[1]!
          const t = /setup token (\S+)/.exec(line)
          if (t !== null) token = t[1]!
        }
      })
    }
  }
  startAppliance()
  ka = lan.start(2, 'keepalived', vrrpConf({ prio: 100, version: 3, advert: '0.2' }))
  // Chromium in node 1's namespace: `ip netns exec` keeps the pipes playwright talks through
  const inNs = join(lan.dir, 'chromium-in-ns.sh')
  writeFileSync(inNs, `#!/bin/sh\nexec ip netns exec ${lan.ns(1)} /usr/bin/chromium "$@"\n`)
  chmodSync(inNs, 0o755)
  browser = await chromium.launch({ executablePath: inNs, args: ['--headless', '--no-sandbox'] })
  page = await browser.newPage()
  page.setDefaultTimeout(8000)
})

/** SIGTERM to the appliance, SIGKILL when it has not exited within 5 s. */
async function stopAppliance (): Promise<void> {
  if (plb?.exitCode !== null) return
  const exited = new Promise(resolve => plb.once('exit', resolve))
  plb.kill('SIGTERM')
  await Promise.race([exited, new Promise(resolve => setTimeout(resolve, 5000))])
  if (plb.exitCode === null) plb.kill('SIGKILL')
}

after(async () => {
  await browser?.close()
  await stopAppliance()
  realServer?.kill('SIGKILL')
  await lan?.destroy()
})

const shot = (name: string): Promise<Buffer> => page.screenshot({ path: join(shots, `${name}.png`), fullPage: true })
/** The reason shown by the newest timeline row <from> → <to> */
const reasonOf = async (from: string, to: string): Promise<string | null> => {
  const row = page.locator(`#vrrp-timeline li:has-text("${from} → ${to}") .reason`).first()
  await row.waitFor()
  return row.textContent()
}

test('simulate failure: the keepalived peer takes over; off: this node preempts back; the timeline records it', async () => {
  assert.ok(await until(() => state === 'MASTER' && ka.state === 'BACKUP' && token !== '', 15_000), `plb=${state} ka=${ka.state}\n${lines.join('\n')}`)
  await page.goto(`http://${UI}/`)
  await page.fill('#setup-token', token)
  await page.fill('#setup-password', 'admin-pass-1')
  await page.fill('#setup-password2', 'admin-pass-1')
  await page.click('#auth-submit')
  await page.waitForSelector('#nav-dashboard')
  await page.waitForSelector('#vrrp-card:has-text("VI_1: MASTER")')
  await page.waitForSelector('#vrrp-card .peer:has-text("peer: BACKUP")')

  await page.goto(`http://${UI}/#/vrrp`)
  await page.waitForSelector('#vrrp-state-VI_1:has-text("MASTER")')
  assert.equal(await page.textContent('tr[data-instance="VI_1"] .prio'), '150 → 150')
  // the transitions made before the UI started are recorded too
  await page.waitForSelector('#vrrp-timeline li:has-text("INIT → BACKUP")')
  assert.equal(await reasonOf('INIT', 'BACKUP'), "instance started: waiting for a master's advert")
  assert.match(await reasonOf('BACKUP', 'MASTER') ?? '', /^(preempted a lower-priority master 10\.77\.0\.2 \(prio 100 < ours 150\)|master down timer expired: no advert for \d+ ms \(3 × advert_int \+ skew\))$/)
  assert.equal(await page.textContent('#vrrp-simulate-kept'), 'The switch is kept on the device: after a restart it is set again as it was left.')
  await shot('10-vrrp-master')

  await page.click('#vrrp-simulate')
  assert.ok(await until(() => ka.state === 'MASTER' && state === 'FAULT', 3000), `plb=${state} ka=${ka.state}`)
  assert.ok(await until(() => lan.hasVip(2, VIP) && !lan.hasVip(1, VIP), 2000))
  await page.waitForSelector('#vrrp-state-VI_1:has-text("FAULT")')
  await page.waitForSelector('tr[data-instance="VI_1"] td.err:has-text("pocketlb:simulated-failure")')
  assert.equal(await page.isChecked('#vrrp-simulate'), true)
  await page.waitForSelector('#vrrp-timeline li:has-text("MASTER → FAULT")')
  assert.equal(await reasonOf('MASTER', 'FAULT'), 'simulated failure switched on (demo)')
  await shot('11-vrrp-simulated-failure')
  const audit = await page.evaluate(() => fetch('/api/audit').then(r => r.json())) as { action: string; detail: string }[]
  assert.ok(audit.some(a => a.action === 'vrrp' && a.detail === 'simulate failure on'), JSON.stringify(audit))

  await page.click('#vrrp-simulate')
  assert.ok(await until(() => state === 'MASTER' && ka.state === 'BACKUP', 5000), `plb=${state} ka=${ka.state}`)
  assert.ok(await until(() => lan.hasVip(1, VIP) && !lan.hasVip(2, VIP), 2000))
  await page.waitForSelector('#vrrp-state-VI_1:has-text("MASTER")')
  await page.waitForSelector('#vrrp-timeline li:has-text("FAULT → BACKUP")')
  assert.equal(await reasonOf('FAULT', 'BACKUP'), 'simulated failure switched off')
  await page.waitForSelector('#vrrp-timeline li:first-child:has-text("BACKUP → MASTER")')
  assert.equal(await reasonOf('BACKUP', 'MASTER'), 'preempted a lower-priority master 10.77.0.2 (prio 100 < ours 150)')
  assert.equal(await page.isChecked('#vrrp-simulate'), false)
  await shot('12-vrrp-restored')
})

test('the switch left on survives a restart: the appliance comes back in FAULT, never MASTER', async () => {
  await page.goto(`http://${UI}/#/vrrp`)
  await page.waitForSelector('#vrrp-state-VI_1:has-text("MASTER")')
  await page.click('#vrrp-simulate')
  assert.ok(await until(() => ka.state === 'MASTER' && state === 'FAULT', 3000), `plb=${state} ka=${ka.state}`)
  await page.waitForSelector('#vrrp-simulate-kept:has-text("on since")')

  await stopAppliance()
  startAppliance()
  assert.ok(await until(() => state === 'FAULT', 15_000), `plb=${state}\n${lines.join('\n')}`)
  await page.goto(`http://${UI}/#/vrrp`)                 // the session outlives the restart (it is in the store)
  await page.waitForSelector('#vrrp-state-VI_1:has-text("FAULT")', { timeout: 15_000 })
  assert.equal(await page.isChecked('#vrrp-simulate'), true)
  assert.equal(await reasonOf('BACKUP', 'FAULT'), 'simulated failure switched on (demo)')
  await shot('14-vrrp-kept-after-restart')
  // held long enough for a Master_Down timer (3 × 0.2 s + skew) to have fired, had the switch been lost
  await new Promise(resolve => setTimeout(resolve, 1500))
  assert.equal(ka.state, 'MASTER')
  assert.ok(!lines.some(l => l.includes('Entering MASTER STATE')), lines.join('\n'))

  await page.click('#vrrp-simulate')
  assert.ok(await until(() => state === 'MASTER' && ka.state === 'BACKUP', 5000), `plb=${state} ka=${ka.state}`)
  await page.waitForSelector('#vrrp-simulate-kept:not(:has-text("on since"))')
})

test('the L4 page lists the virtual_server, its real servers up and down', async () => {
  await page.goto(`http://${UI}/#/l4`)
  await page.waitForSelector(`[data-real="${VIP}:80/10.77.0.2:8080"] .status:has-text("UP")`, { timeout: 15_000 })
  await page.waitForSelector(`[data-real="${VIP}:80/10.77.0.9:8080"] .status:has-text("DOWN")`)
  assert.match(await page.textContent(`[data-service="${VIP}:80"] p`) ?? '', /^TCP on 10\.77\.0\.\d+:80, lb_algo rr, lb_kind NAT$/)
  await shot('13-l4')
})
