import { test } from 'node:test'
import assert from 'node:assert/strict'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { spawnSync } from 'node:child_process'
import { startVrrp } from '../../../src/vrrp/main.ts'
import { loadKeepalivedText } from '../../../src/config/keepalived/compile.ts'

const RUN = new URL('../../net/vrrp/run-vrrp.ts', import.meta.url).pathname

test('pocketlb vrrp -c: exit 0 on a valid file, 1 with file:line alerts', () => {
  const dir = mkdtempSync(join(tmpdir(), 'plbv-cli-'))
  try {
    const good = join(dir, 'good.conf'); const bad = join(dir, 'bad.conf')
    writeFileSync(good, 'vrrp_instance A {\n interface lo\n virtual_router_id 9\n virtual_ipaddress { 127.9.9.9 }\n}\n')
    writeFileSync(bad, 'vrrp_instance A {\n interface lo\n virtual_router_id 9\n priority 300\n virtual_ipaddress { 127.9.9.9 }\n}\n')
    const ok = spawnSync(process.execPath, ['--import', 'tsx', RUN, '-c', '-f', good], { encoding: 'utf8', timeout: 20_000 })
    assert.equal(ok.status, 0, ok.stderr)
    assert.match(ok.stdout, /Configuration file is valid/)
    const ko = spawnSync(process.execPath, ['--import', 'tsx', RUN, '-c', '-f', bad], { encoding: 'utf8', timeout: 20_000 })
    assert.equal(ko.status, 1)
    assert.ok(ko.stderr.includes(`[ALERT] ${bad}:4: priority '300' is invalid - must be between 1 and 255`), ko.stderr)
  } finally { rmSync(dir, { recursive: true, force: true }) }
})

test('startVrrp runs the engine in a child process and stops it', async () => {
  const r = loadKeepalivedText('global_defs {\n router_id w\n}\n')
  assert.ok(r.ok)
  const h = await startVrrp(r.plan)
  assert.deepEqual(h.state(), [])
  h.track('listeners', false)                              // unknown to every instance: ignored
  await h.stop()
})
