import { test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { mkdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { chromium, type Browser, type Page } from 'playwright-core'
import { ObserveNet, clientHello } from '../net/observe/topology.ts'
import { setupAdmin, startObservingNode, type ObservingNode } from '../net/observe/appliance.ts'

// The Observe page in Debian's Chromium (root only): `pocketlb --observe` in the
// observe net test's namespaces, its UI reached from the host through the lab's
// forwarders; the switch, a live exchange and its detail, the filter, a TLS flow
// with its SNI, the HAR download.
const shots = new URL('../../test-artifacts/ui/', import.meta.url).pathname
const net = new ObserveNet('u')
let node: ObservingNode
let browser: Browser
let page: Page

before(async () => {
  mkdirSync(shots, { recursive: true })
  await net.build(false)
  node = await startObservingNode(net, [])
  const { cookie } = await setupAdmin(node.base, node.setupToken)
  browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--headless', '--no-sandbox'] })
  const context = await browser.newContext({ acceptDownloads: true })
  const [name, value] = cookie.split('=') as [string, string]
  await context.addCookies([{ name, value, url: node.base }])
  page = await context.newPage()
  page.setDefaultTimeout(8000)
})

after(async () => {
  await browser?.close()
  await node?.stop()
  await net.close()
})

const REQ = Buffer.from('GET /catalog?q=board HTTP/1.1\r\nHost: shop.dev\r\nAccept: text/html\r\nConnection: close\r\n\r\n')

test('observe page: switch on, live exchange with its detail, filter, TLS flow, HAR, switch off', async () => {
  await page.goto(`${node.base}/#/observe`)
  await page.waitForSelector('#obs-state:has-text("off · HTTP ports 80")')
  assert.equal(await page.isChecked('#obs-switch'), false)
  await page.click('#obs-switch')
  await page.waitForSelector('#obs-state:has-text("on · HTTP ports 80")')

  const answer = await net.send('tcp', 80, REQ)
  const hello = await clientHello('pay.example')
  await net.send('tcp', 443, hello)
  const row = page.locator('#obs-http tr', { hasText: '/catalog?q=board' })
  await row.waitFor()
  const cells = await row.locator('td').allTextContents()
  assert.deepEqual([cells[2], cells[3], cells[4], cells[5]], ['GET', 'shop.dev', '/catalog?q=board', '200'])
  assert.match(cells[1]!, /^10\.88\.0\.1:\d+$/)
  await page.locator('#obs-tls tr', { hasText: 'pay.example' }).waitFor()

  await row.click()
  await page.waitForSelector('#obs-detail-title:has-text("GET http://shop.dev/catalog?q=board → 200 OK")')
  assert.match(await page.textContent('#obs-detail') ?? '', /Accept\s*text\/html/)
  assert.match(await page.textContent('#obs-detail-timings') ?? '', /connect \d+ ms · first byte \d+ ms · total \d+ ms/)
  assert.ok((await page.textContent('#obs-detail .obs-body') ?? '').length > 0)
  await page.screenshot({ path: join(shots, 'observe.png'), fullPage: true })

  await page.fill('#obs-filter', 'shop.dev status:404')
  await page.click('#obs-apply')
  await page.waitForFunction(() => document.querySelectorAll('#obs-http tr').length === 0)
  await page.fill('#obs-filter', 'status:nonsense')
  await page.click('#obs-apply')
  await page.waitForSelector('#obs-msg.err:has-text("filter:")')
  await page.fill('#obs-filter', 'shop.dev method:get status:2xx')
  await page.click('#obs-apply')
  await row.waitFor()

  const [download] = await Promise.all([page.waitForEvent('download'), page.click('#obs-har')])
  const har = JSON.parse(readFileSync(await download.path(), 'utf8')) as { log: { entries: Array<{ request: { url: string }; response: { status: number; bodySize: number } }> } }
  assert.deepEqual(har.log.entries.map(e => [e.request.url, e.response.status]), [['http://shop.dev/catalog?q=board', 200]])
  assert.equal(har.log.entries[0]!.response.bodySize, answer.length - answer.indexOf('\r\n\r\n') - 4)

  await page.click('#obs-switch')
  await page.waitForSelector('#obs-state:has-text("off · HTTP ports 80")')
})
