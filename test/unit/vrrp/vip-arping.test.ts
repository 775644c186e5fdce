/** IprouteVipManager: removing a VIP ends the ARP bursts still announcing it (a node that
 *  left MASTER must not keep claiming the address), and only those. */
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { mkdtempSync, writeFileSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { IprouteVipManager } from '../../../src/vrrp/vip.ts'
import type { VipPlan } from '../../../src/vrrp/types.ts'
import { until } from '../../helpers/wait.ts'

test('del kills the arping children of the removed address, not the others', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'plb-arping-'))
  // a stand-in arping: records its PID and the address it announces, then stays as a burst would
  writeFileSync(join(dir, 'arping'), `#!/bin/sh\n[ "$1" = --help ] && exit 0\nfor a; do last=$a; done\necho "$$ $last" >> ${dir}/started\nexec sleep 30\n`, { mode: 0o755 })
  const savedPath = process.env.PATH
  process.env.PATH = `${dir}:${savedPath}`
  const vips = new IprouteVipManager()
  const alive = (pid: number): boolean => { try { process.kill(pid, 0); return true } catch { return false } }
  try {
    const dev = 'plb-no-such-dev'   // `ip addr del` on a missing device is ignored by del()
    const where = { file: 'keepalived.conf', line: 1 }
    const a: VipPlan = { addr: '127.0.0.201', prefixLen: 32, dev, label: null, where }
    const b: VipPlan = { addr: '127.0.0.202', prefixLen: 32, dev, label: null, where }
    await vips.garp([a, b], 5)
    assert.ok(await until(() => { try { return readFileSync(join(dir, 'started'), 'utf8').trim().split('\n').length === 2 } catch { return false } }, 5000), 'both bursts started')
    const started = new Map(readFileSync(join(dir, 'started'), 'utf8').trim().split('\n').map(l => {
      const [pid, addr] = l.split(' '); return [addr!, Number(pid)] as const
    }))
    await vips.del([a])
    assert.ok(await until(() => !alive(started.get(a.addr)!), 5000), 'the burst for the removed address ended')
    assert.equal(alive(started.get(b.addr)!), true, 'the burst for the address still held goes on')
  } finally {
    vips.close()
    process.env.PATH = savedPath
    rmSync(dir, { recursive: true, force: true })
  }
})
