import { test } from 'node:test'
import assert from 'node:assert/strict'
import { loadConfigSources } from '../../../src/config/load.ts'
import { computeLimits } from '../../../src/tuning/limits.ts'
import { fitLoaded, fitPlan } from '../../../src/tuning/fit-plan.ts'
import type { TuningInputs } from '../../../src/tuning/types.ts'
import type { Plan } from '../../../src/config/plan.ts'
import { Level } from '../../../src/log/types.ts'
import { createAccessLogger } from '../../../src/proxy/access-log.ts'

const MiB = 1024 * 1024
const small: TuningInputs = {
  memTotalBytes: 256 * MiB, memAvailableBytes: 200 * MiB, cpuCount: 1, cpuMHz: 0,
  power: 'usb', onBattery: false, temperatureC: null, board: null
}

function plan (global: string): Plan {
  const r = loadConfigSources([{ path: 'seed.cfg', text: `global\n${global}\ndefaults\n  mode http\n  timeout client 1s\n  timeout server 1s\n  timeout connect 1s\nfrontend f\n  bind 127.0.0.1:1\n  default_backend b\nbackend b\n  server s 127.0.0.1:2 check inter 2s fastinter 500 downinter 1s\n` }])
  assert.ok(r.ok, JSON.stringify(r))
  return r.plan
}

test("seed 003's maxconn 300000 on a pocket: capped to the RAM budget, saying why", () => {
  const l = computeLimits('pocket', small)
  const f = fitPlan(plan('  maxconn 300000\n  tune.bufsize 16384'), l)
  assert.equal(f.plan.global.maxconn, l.maxconn)
  assert.equal(f.warnings.length, 1)
  assert.match(f.warnings[0], /global maxconn 300000 does not fit the 'pocket' profile's RAM budget: 300000 × \(2·16384 \+ 2 kB \+ 16 kB kernel\) ≈ 14648 MiB > 64 MiB for connections \(of 256 MiB\)\. maxconn capped to 1310\./)
  assert.ok(Object.isFrozen(f.plan.global))
})

test('a bufsize above the profile is capped; a config that fits is returned as it was', () => {
  const l = computeLimits('pocket', small)
  const big = fitPlan(plan('  maxconn 100\n  tune.bufsize 65536'), l)
  assert.equal(big.plan.global.tune.bufsize, 16384)
  assert.match(big.warnings.join('\n'), /tune\.bufsize 65536 is larger than the 'pocket' profile allows: capped to 16384/)
  // smaller buffers than the profile's: more connections fit the same budget, up to what the V8 heap holds
  const lean = fitPlan(plan('  maxconn 300000\n  tune.bufsize 8192'), l)
  assert.ok(Math.floor(64 * MiB / (2 * 8192 + 2048 + 16384)) > l.maxconnCeiling)
  assert.equal(lean.plan.global.maxconn, l.maxconnCeiling)
  assert.ok(lean.plan.global.maxconn > l.maxconn)
  const lab = computeLimits('lab', { ...small, memTotalBytes: 65536 * MiB, memAvailableBytes: 60000 * MiB })
  assert.deepEqual(fitPlan(plan('  maxconn 200000'), lab).warnings, ["global maxconn 200000 is above the 'lab' profile's ceiling: maxconn capped to 100000."])
  // no maxconn in the config: the profile's, silently
  const unset = fitPlan(plan('  log stdout local0'), l)
  assert.equal(unset.plan.global.maxconn, l.maxconn)
  assert.deepEqual(unset.warnings, [])
  const p = plan('  maxconn 100')
  const same = fitPlan(p, l)
  assert.equal(same.plan, p)
  assert.deepEqual(same.warnings, [])
})

test('on battery the check intervals are stretched; load warnings are kept and extended', () => {
  const l = computeLimits('pocket-battery', { ...small, onBattery: true, power: 'battery' })
  const f = fitPlan(plan('  maxconn 100'), l)
  const c = f.plan.backends.get('b')!.servers[0].check
  assert.deepEqual([c.inter, c.fastinter, c.downinter], [6000, 1500, 3000])
  assert.deepEqual(f.warnings, [])
  const r = loadConfigSources([{ path: 'x.cfg', text: 'global\n  maxconn 99999\ndefaults\n  mode http\nfrontend f\n  bind 127.0.0.1:1\n  default_backend b\nbackend b\n  server s 127.0.0.1:2\n' }])
  const fitted = fitLoaded(r, l)
  assert.ok(fitted.ok && r.ok)
  assert.ok(fitted.warnings.length === r.warnings.length + 1)
  assert.match(fitted.warnings.at(-1)!, /maxconn 99999 does not fit/)
})

test("the profile's log level caps log targets: on battery no access log is built nor sent, saying why", () => {
  const battery = computeLimits('pocket-battery', { ...small, onBattery: true, power: 'battery' })
  const p = plan('  maxconn 100\n  log 127.0.0.1:514 local0\n  log 127.0.0.1:515 local1 warning')
  const withGlobalLogs: Plan = { ...p, frontends: p.frontends.map(f => ({ ...f, logs: p.global.logs })) }
  const f = fitPlan(withGlobalLogs, battery)
  assert.deepEqual(f.plan.global.logs.map(t => t.maxLevel), [Level.notice, Level.warning])
  assert.deepEqual(f.plan.frontends[0].logs.map(t => t.maxLevel), [Level.notice, Level.warning])
  assert.deepEqual(f.warnings, ["log targets sending 'info' are capped at 'notice' by the 'pocket-battery' profile: access logs are not sent."])
  // the frontend then gets no access logger at all (no record built per request)
  assert.equal(createAccessLogger(f.plan.frontends[0], f.plan.global), null)
  const before = createAccessLogger(withGlobalLogs.frontends[0], withGlobalLogs.global)
  assert.notEqual(before, null)
  void before!.sink.close()
  // an 'info' profile leaves the targets as written
  const pocket = fitPlan(withGlobalLogs, computeLimits('pocket', small))
  assert.equal(pocket.plan.frontends[0].logs, withGlobalLogs.frontends[0].logs)
  assert.deepEqual(pocket.warnings, [])
})
