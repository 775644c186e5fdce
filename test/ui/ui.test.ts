import { test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { mkdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { chromium, type Browser, type Page } from 'playwright-core'
import { startUi, type UiHandle } from '../../src/ui/start.ts'
import { startPlane, hit, type Plane } from '../e2e/ui/harness.ts'
import { freePort } from '../helpers/net.ts'

// End to end in Debian's Chromium (never a downloaded browser): the UI worker
// started as the CLI does, a real engine and backends, bounded real traffic.
const shots = new URL('../../test-artifacts/ui/', import.meta.url).pathname
let plane: Plane
let ui: UiHandle
let browser: Browser
let page: Page
let base = ''

before(async () => {
  mkdirSync(shots, { recursive: true })
  plane = await startPlane()
  ui = await startUi({ host: '127.0.0.1', port: 0, storePath: join(plane.dir, 'ui.db'), engine: plane.engine, configPath: plane.configPath, reload: () => plane.reload(), logFlushMs: 100 })
  base = `http://${ui.address}`
  browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--headless', '--no-sandbox'] })
  page = await browser.newPage()
  page.setDefaultTimeout(8000)
})

after(async () => {
  await browser?.close()
  await ui?.stop()
  await plane?.close()
})

const shot = (name: string): Promise<Buffer> => page.screenshot({ path: join(shots, `${name}.png`), fullPage: true })

/** <n> requests through the proxy, <parallel> at a time. */
async function load (n: number, parallel = 4, path = '/load'): Promise<number> {
  let ok = 0, next = 0
  await Promise.all(Array.from({ length: parallel }, async () => {
    while (next < n) { next++; if ((await hit(plane.frontPort, path)).status === 200) ok++ }
  }))
  return ok
}

test('first start asks for the setup token and a password, then login works', async () => {
  assert.ok(ui.setupToken !== null)
  await page.goto(base + '/')
  await page.waitForSelector('#setup-token')
  await shot('01-first-start')
  await page.fill('#setup-token', 'wrong-token')
  await page.fill('#setup-password', 'admin-pass-1')
  await page.fill('#setup-password2', 'admin-pass-1')
  await page.click('#auth-submit')
  await page.waitForSelector('#auth-error:has-text("wrong setup token")')
  await page.fill('#setup-token', ui.setupToken!)
  await page.click('#auth-submit')
  await page.waitForSelector('#nav-dashboard')
  await page.click('#who button')
  await page.waitForSelector('#login-password')
  await page.fill('#login-password', 'admin-pass-1')
  await page.click('#auth-submit')
  await page.waitForSelector('#nav-dashboard')
  await shot('02-logged-in')
})

test('dashboard shows live traffic from a real bounded load', async () => {
  await page.goto(base + '/#/dashboard')
  assert.equal(await load(300), 300)
  await page.waitForFunction(() => Number(document.getElementById('total-reqs')?.textContent ?? 0) >= 300, undefined, { timeout: 8000 })
  await page.waitForSelector('[data-server="farm/s1"] .dot.UP')
  assert.equal(await page.textContent('#vrrp-card'), 'not configured')
  await shot('03-dashboard')
})

test('a config error is shown at its line and the running config is untouched', async () => {
  await page.goto(base + '/#/config')
  await page.waitForFunction(() => (document.getElementById('config-text') as HTMLTextAreaElement | null)?.value.includes('frontend web') === true)
  const broken = plane.config.replace('  default_backend farm', '  default_backend farm\n  bogus_keyword 1')
  const line = broken.split('\n').indexOf('  bogus_keyword 1') + 1
  await page.fill('#config-text', broken)
  await page.click('#btn-validate')
  await page.waitForSelector(`#gutter [data-line="${line}"].bad`)
  await page.click('#btn-apply')
  await page.waitForSelector('#config-result:has-text("running configuration stays in service")')
  await shot('04-config-error')
  assert.equal(readFileSync(plane.configPath, 'utf8'), plane.config)
  assert.equal((await hit(plane.frontPort, '/admin')).status, 403)
})

test('a valid apply, then a rollback', async () => {
  const next = plane.config.replace('path_beg /admin', 'path_beg /private')
  await page.fill('#config-text', next)
  await page.fill('#config-comment', 'deny /private instead')
  await page.click('#btn-diff')
  await page.waitForSelector('#diff-out .add:has-text("/private")')
  await page.click('#btn-apply')
  await page.waitForSelector('#config-result:has-text("Applied")')
  assert.equal((await hit(plane.frontPort, '/private')).status, 403)
  assert.equal((await hit(plane.frontPort, '/admin')).status, 200)
  await shot('05-applied')
  const baseline = page.locator('#versions tr', { hasText: 'running at start' })
  await baseline.locator('.ver-rollback').click()
  await page.waitForSelector('#config-result:has-text("Applied")')
  assert.equal(readFileSync(plane.configPath, 'utf8'), plane.config)
  assert.equal((await hit(plane.frontPort, '/admin')).status, 403)
  await shot('06-rolled-back')
})

test('draining a server moves the traffic', async () => {
  await page.goto(base + '/#/services')
  await page.click('tr[data-server="farm/s1"] .act-drain')
  await page.waitForSelector('tr[data-server="farm/s1"] .status:has-text("DRAIN")')
  const servers = new Set<string>()
  for (let i = 0; i < 8; i++) servers.add((await hit(plane.frontPort, '/after-drain')).server)
  assert.deepEqual([...servers], ['s2'])
  await shot('07-drained')
  await page.click('tr[data-server="farm/s1"] .act-ready')
  await page.waitForSelector('tr[data-server="farm/s1"] .status:has-text("UP")')
  await page.fill('#explain-url', '/api/v1')
  await page.click('#explain-go')
  await page.waitForSelector('#explain-backend:has-text("api")')
})

test('the live log shows a request', async () => {
  await page.goto(base + '/#/logs')
  await page.waitForSelector('#log-state:has-text("live")')
  await hit(plane.frontPort, '/seen-in-the-live-log')
  await page.waitForSelector('#log-lines div:has-text("/seen-in-the-live-log")')
  await shot('08-live-log')
})

test('a template is merged and applied', async () => {
  const port = await freePort()
  await page.goto(base + '/#/templates')
  await page.click('#tpl-http-farm')
  await page.fill('input[name="bind"]', `127.0.0.1:${port}`)
  await page.fill('input[name="servers"]', plane.backends.map(b => `127.0.0.1:${b.port}`).join(','))
  await page.waitForSelector(`#tpl-preview:has-text("127.0.0.1:${port}")`)
  await page.click('#tpl-apply')
  await page.waitForSelector('#tpl-msg:has-text("Merged and applied")')
  await shot('09-template')
  assert.equal((await hit(port, '/')).status, 200)
  assert.match(readFileSync(plane.configPath, 'utf8'), /frontend web_front/)
})
