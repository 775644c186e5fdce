import { test } from 'node:test'
import assert from 'node:assert/strict'
import { spawnSync } from 'node:child_process'
import { mkdtempSync, writeFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

// The command line as a user types it (sources run through tsx; the bundle's
// own smoke test is in test/bundle).

function plb (...args: string[]): { code: number; out: string; err: string } {
  const r = spawnSync(process.execPath, ['--import', 'tsx', 'src/main.ts', ...args], { encoding: 'utf8', timeout: 20000 })
  return { code: r.status ?? -1, out: r.stdout, err: r.stderr }
}

test('-vv prints the version and features; -cc evaluates conditions like .if', () => {
  const v = plb('-vv')
  assert.equal(v.code, 0)
  assert.match(v.out, /^pocketlb version \d+\.\d+\.\d+ .*\nFeature list : .*\+LINUX/)
  assert.equal(plb('-cc', 'version_atleast(2.4)').code, 0)
  assert.equal(plb('-cc', 'version_before(2.4)').code, 1)
})

test('-c names file:line and keyword of a bad config, and accepts a good one', () => {
  const dir = mkdtempSync(join(tmpdir(), 'plb-cli-'))
  try {
    const good = join(dir, 'good.cfg')
    const bad = join(dir, 'bad.cfg')
    writeFileSync(good, 'defaults\n  mode http\n  timeout client 1s\n  timeout server 1s\n  timeout connect 1s\nfrontend f\n  bind 127.0.0.1:1\n  default_backend b\nbackend b\n  server s 127.0.0.1:2\n')
    writeFileSync(bad, 'defaults\n  mode http\nbackend b\n  balanse roundrobin\n')
    const g = plb('-c', '-f', good)
    assert.equal(g.code, 0, g.err)
    assert.match(g.out, /Configuration file is valid/)
    const b = plb('-c', '-f', bad)
    assert.equal(b.code, 1)
    assert.match(b.err, /\[ALERT\] +\(\d+\) : .*parsing \[.*bad\.cfg:4\] : unknown keyword 'balanse'/)
  } finally { rmSync(dir, { recursive: true, force: true }) }
})

test('export writes the keepalived.conf equivalent of a VRRP configuration', () => {
  const dir = mkdtempSync(join(tmpdir(), 'plb-cli-'))
  try {
    const conf = join(dir, 'keepalived.conf')
    writeFileSync(conf, 'vrrp_instance VI_1 {\n  interface eth0\n  virtual_router_id 51\n  priority 150\n  advert_int 1\n  virtual_ipaddress {\n    192.0.2.10/24\n  }\n}\n')
    const r = plb('export', '-f', conf)
    assert.equal(r.code, 0, r.err)
    assert.match(r.out, /vrrp_instance VI_1 \{[\s\S]*virtual_router_id 51[\s\S]*priority 150[\s\S]*192\.0\.2\.10\/24/)
    const broken = join(dir, 'broken.conf')
    writeFileSync(broken, 'vrrp_instance VI_1 {\n  interface eth0\n  virtual_router_id 999\n}\n')
    const e = plb('export', '-f', broken)
    assert.equal(e.code, 1)
    assert.match(e.err, /broken\.conf:3/)
  } finally { rmSync(dir, { recursive: true, force: true }) }
})
