import { test } from 'node:test'
import assert from 'node:assert/strict'
import { spawnSync } from 'node:child_process'
import { mkdtempSync, writeFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

// `pocketlb tune` and the profile's cap on `-c`, as a user types them (sources through tsx).

function plb (...args: string[]): { code: number; out: string; err: string } {
  const r = spawnSync(process.execPath, ['--import', 'tsx', 'src/main.ts', ...args], { encoding: 'utf8', timeout: 20000 })
  return { code: r.status ?? -1, out: r.stdout, err: r.stderr }
}

test('tune prints the profile, the inputs read from this machine and the board, the limits and why', () => {
  const r = plb('tune', '--profile', 'pocket', '--board', 'board/qemu-virt.json')
  assert.equal(r.code, 0, r.err)
  assert.match(r.out, /^profile: pocket\ninputs:\n {2}memory total +\d+ MiB\n/)
  assert.match(r.out, /board +qemu-virt \(256 MiB, 1 cores, mains\)/)
  assert.match(r.out, /maxconn +1310\n/)
  assert.match(r.out, /node flags +--max-old-space-size=32 --max-semi-space-size=2\n/)
  assert.match(r.out, /why:\n {2}profile pocket: asked for\n {2}ram 256 MiB: board qemu-virt\n/)
  const j = JSON.parse(plb('tune', '--json', '--profile', 'lab').out) as { limits: { profile: string; maxconn: number }; inputs: { cpuCount: number } }
  assert.equal(j.limits.profile, 'lab')
  assert.ok(j.limits.maxconn >= 64 && j.inputs.cpuCount >= 1)
  const bad = plb('tune', '--profile', 'tiny')
  assert.equal(bad.code, 1)
  assert.match(bad.err, /unknown profile 'tiny'/)
})

test("tune --exec-words: the machine's reading and V8 caps for a data plane, plain node for -c", () => {
  const f = plb('tune', '--exec-words', '--profile', 'pocket', '-f', 'x.cfg')
  assert.equal(f.code, 0, f.err)
  const m = /^PLB_TUNING_INPUTS=([\w-]+) node --max-old-space-size=\d+ --max-semi-space-size=2\n$/.exec(f.out)
  assert.ok(m, f.out)
  const inputs = JSON.parse(Buffer.from(m[1], 'base64url').toString()) as { memTotalBytes: number; cpuCount: number }
  assert.ok(inputs.memTotalBytes > 0 && inputs.cpuCount >= 1)
  const c = plb('tune', '--exec-words', '-c', '-f', 'x.cfg')
  assert.equal(c.code, 0)
  assert.equal(c.out, 'node\n')
})

test("-c warns when the config's maxconn does not fit the profile's RAM budget, and says by how much", () => {
  const dir = mkdtempSync(join(tmpdir(), 'plb-tune-'))
  try {
    const cfg = join(dir, 'ws.cfg')
    writeFileSync(cfg, 'global\n  maxconn 300000\ndefaults\n  mode http\n  timeout client 1s\n  timeout server 1s\n  timeout connect 1s\nfrontend f\n  bind 127.0.0.1:1\n  default_backend b\nbackend b\n  server s 127.0.0.1:2\n')
    const r = plb('-c', '--profile', 'pocket', '--board', 'board/qemu-virt.json', '-f', cfg)
    assert.equal(r.code, 0, r.err)
    assert.match(r.out, /Configuration file is valid/)
    assert.match(r.err, /\[WARNING\] +\(\d+\) : global maxconn 300000 does not fit the 'pocket' profile's RAM budget: .* ≈ 14648 MiB > 64 MiB for connections \(of 256 MiB\)\. maxconn capped to 1310\./)
    writeFileSync(cfg, 'global\n  maxconn 1000\ndefaults\n  mode http\nfrontend f\n  bind 127.0.0.1:1\n  default_backend b\nbackend b\n  server s 127.0.0.1:2\n')
    const fits = plb('-c', '--profile', 'pocket', '--board', 'board/qemu-virt.json', '-f', cfg)
    assert.equal(fits.code, 0)
    assert.doesNotMatch(fits.err, /does not fit/)
  } finally { rmSync(dir, { recursive: true, force: true }) }
})
