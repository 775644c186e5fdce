import { test } from 'node:test'
import assert from 'node:assert/strict'
import { computeLimits, nodeFlags } from '../../../src/tuning/limits.ts'
import { chooseProfile } from '../../../src/tuning/profiles.ts'
import { bytesPerConnection, maxconnFitting } from '../../../src/tuning/memory-rule.ts'
import { readBoard } from '../../../src/tuning/inputs.ts'
import type { TuningInputs } from '../../../src/tuning/types.ts'

const MiB = 1024 * 1024
const pc: TuningInputs = {
  memTotalBytes: 16384 * MiB, memAvailableBytes: 12000 * MiB, cpuCount: 8, cpuMHz: 3000,
  power: 'mains', onBattery: false, temperatureC: 45, board: null
}
const r2s = readBoard(new URL('../../../board/nanopi-r2s.json', import.meta.url).pathname)
const virt = readBoard(new URL('../../../board/qemu-virt.json', import.meta.url).pathname)
const device = (board = r2s, more: Partial<TuningInputs> = {}): TuningInputs =>
  ({ ...pc, memTotalBytes: board.memoryMiB * MiB, memAvailableBytes: board.memoryMiB * MiB * 0.8, cpuCount: board.cores, board, power: board.power, ...more })

test('seed 003 memory rule: (2·bufsize + 2 kB) + 4 × 4 kB kernel per connection', () => {
  assert.equal(bytesPerConnection(16384), 2 * 16384 + 2048 + 16384)
  // the seed's farm: maxconn 300000, bufsize 16384 → ~14.3 GiB per process, as the answer says "up to 40G" for 4 (with 3 SSL ones)
  assert.equal(Math.round(300000 * bytesPerConnection(16384) / 1024 ** 3 * 10) / 10, 14.3)
  assert.equal(maxconnFitting(64 * MiB, 16384), 1310)
})

test('board files are read: memory, cores, power source', () => {
  assert.deepEqual(r2s, { name: 'nanopi-r2s', memoryMiB: 1024, cores: 4, maxMHz: 1296, power: 'usb' })
  assert.equal(virt.memoryMiB, 256)
  assert.equal(virt.power, 'mains')
})

test('pocket on a 512 MiB ceiling: a quarter of RAM for connections, small V8 heap and young generation', () => {
  const l = computeLimits('pocket', device(r2s))
  assert.equal(l.profile, 'pocket')
  assert.equal(l.ramBytes, 512 * MiB) // the profile's ceiling, below the board's 1 GiB
  assert.equal(l.connBudgetBytes, 128 * MiB)
  assert.equal(l.maxconn, Math.floor(128 * MiB / 51200))
  assert.equal(l.heapMiB, 48) // 10% of 512 MiB = 51 → the profile's 48 at most
  assert.equal(l.semiSpaceMiB, 2)
  assert.equal(l.checkIntervalFactor, 1)
  assert.equal(l.logLevel, 'info')
  assert.ok(Object.isFrozen(l) && Object.isFrozen(l.reasons))
  assert.match(l.reasons.join('\n'), /ram 512 MiB: profile ceiling 512 MiB/)
  assert.deepEqual(nodeFlags(l), ['--max-old-space-size=48', '--max-semi-space-size=2'])
})

test('a smaller board lowers RAM, maxconn and heap; the heap never goes under its floor', () => {
  const l = computeLimits('pocket', device(virt, { memTotalBytes: 16384 * MiB }))
  assert.equal(l.ramBytes, 256 * MiB)
  assert.equal(l.maxconn, 1310)
  assert.equal(l.heapMiB, 32) // 16 MiB + 1310 × 12 KiB
  assert.match(l.reasons.join('\n'), /board qemu-virt/)
  const tiny = computeLimits('pocket', { ...device(virt), memTotalBytes: 64 * MiB, board: null })
  assert.equal(tiny.heapMiB, 24)
  // a heap cap that cannot hold the budget's connections lowers maxconn
  const r2sHeapBound = computeLimits('pocket', device(r2s))
  assert.ok(r2sHeapBound.maxconn <= Math.floor((r2sHeapBound.heapMiB - 16) * 1024 / 12))
})

test('little free memory now: the budget is half of what is available', () => {
  const l = computeLimits('pocket', device(r2s, { memAvailableBytes: 100 * MiB }))
  assert.equal(l.connBudgetBytes, 50 * MiB)
  assert.equal(l.maxconn, Math.floor(50 * MiB / 51200))
  assert.match(l.reasons.join('\n'), /half of the memory available now/)
  // never below a usable floor
  assert.equal(computeLimits('pocket', device(r2s, { memAvailableBytes: 2 * MiB })).maxconn, 64)
})

test('pocket-battery: checks 3× apart, no access logs; hot CPU doubles again', () => {
  const l = computeLimits('pocket-battery', device(r2s, { onBattery: true, power: 'battery' }))
  assert.equal(l.checkIntervalFactor, 3)
  assert.equal(l.logLevel, 'notice')
  assert.match(l.reasons.join('\n'), /log level notice: on battery, no access log line per request/)
  const hot = computeLimits('pocket-battery', device(r2s, { onBattery: true, power: 'battery', temperatureC: 80 }))
  assert.equal(hot.checkIntervalFactor, 6)
  assert.match(hot.reasons.join('\n'), /on battery, 80 °C/)
})

test('lab: half the RAM for connections up to the profile ceiling, bigger heap', () => {
  const l = computeLimits('lab', pc)
  // half of 16 GiB is more than half of the 12000 MiB free: 6000 MiB at 64 kB buffers
  assert.equal(l.maxconn, Math.floor(6000 * MiB / bytesPerConnection(65536)))
  assert.equal(l.maxconnCeiling, 100000)
  const huge = computeLimits('lab', { ...pc, memTotalBytes: 65536 * MiB, memAvailableBytes: 60000 * MiB })
  assert.equal(huge.maxconn, 100000)
  assert.match(huge.reasons.join('\n'), /maxconn 100000: profile ceiling \(the budget would allow \d+\)/)
  assert.equal(l.bufsize, 65536)
  assert.equal(l.heapMiB, 2048)
  assert.equal(l.semiSpaceMiB, 16)
})

test('auto: battery → pocket-battery, a board or a small machine → pocket, a PC → lab', () => {
  assert.equal(chooseProfile(pc), 'lab')
  assert.equal(chooseProfile(device(r2s)), 'pocket')
  assert.equal(chooseProfile({ ...pc, memTotalBytes: 512 * MiB }), 'pocket')
  assert.equal(chooseProfile({ ...pc, cpuCount: 1 }), 'pocket')
  assert.equal(chooseProfile({ ...pc, onBattery: true }), 'pocket-battery')
  const l = computeLimits('auto', device(r2s))
  assert.equal(l.profile, 'pocket')
  assert.match(l.reasons[0], /chosen from the inputs \(auto\)/)
})
