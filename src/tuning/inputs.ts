import { readFileSync, existsSync } from 'node:fs'
import type { BoardInfo, PowerSource, TuningInputs } from './types.ts'

/** Where the image installs its board file. */
export const DEVICE_BOARD_FILE = '/etc/pocketlb/board.json'

/** Reads a board file (board/<name>.json format); throws with the path on a bad file. */
export function readBoard (path: string): BoardInfo {
  let j: { name?: unknown; memoryMiB?: unknown; cpu?: { cores?: unknown; maxMHz?: unknown }; power?: { source?: unknown } }
  try { j = JSON.parse(readFileSync(path, 'utf8')) } catch (e) { throw new Error(`board file ${path}: ${(e as Error).message}`) }
  if (typeof j.name !== 'string' || typeof j.memoryMiB !== 'number') throw new Error(`board file ${path}: needs "name" and "memoryMiB"`)
  const src = String(j.power?.source ?? '')
  const power: PowerSource = src.startsWith('usb') ? 'usb' : src === 'mains' ? 'mains' : src === 'battery' ? 'battery' : 'unknown'
  return Object.freeze({
    name: j.name,
    memoryMiB: j.memoryMiB,
    cores: typeof j.cpu?.cores === 'number' ? j.cpu.cores : 0,
    maxMHz: typeof j.cpu?.maxMHz === 'number' ? j.cpu.maxMHz : 0,
    power
  })
}

/** The board: <path> when given, else the device's own file when present. */
export function findBoard (path: string | null): BoardInfo | null {
  if (path !== null) return readBoard(path)
  return existsSync(DEVICE_BOARD_FILE) ? readBoard(DEVICE_BOARD_FILE) : null
}

/** The environment variable through which bin/pocketlb's pre-computation hands
 *  its reading to the data plane (base64url JSON of TuningInputs). */
export const INPUTS_ENV = 'PLB_TUNING_INPUTS'

export function encodeInputs (i: TuningInputs): string {
  return Buffer.from(JSON.stringify(i)).toString('base64url')
}

/** The inputs read by bin/pocketlb's pre-computation, else the machine read now.
 *  WHY: loading systeminformation costs the data plane ~11 MB of RSS and ~130 ms for good. */
export async function currentInputs (boardPath: string | null): Promise<TuningInputs> {
  const passed = process.env[INPUTS_ENV]
  if (passed !== undefined && passed !== '') {
    try { return Object.freeze(JSON.parse(Buffer.from(passed, 'base64url').toString('utf8')) as TuningInputs) } catch { /* read it again */ }
  }
  return readInputs(boardPath)
}

/** Reads the machine once with systeminformation (loaded only here). */
export async function readInputs (boardPath: string | null): Promise<TuningInputs> {
  const board = findBoard(boardPath)
  const si = (await import('systeminformation')).default
  const [mem, cpu, battery, temp] = await Promise.all([si.mem(), si.cpu(), si.battery(), si.cpuTemperature()])
  const onBattery = battery.hasBattery && !battery.acConnected
  const power: PowerSource = onBattery ? 'battery' : board?.power ?? (battery.hasBattery ? 'mains' : 'unknown')
  const temperatureC = typeof temp.max === 'number' && temp.max > 0 ? temp.max : typeof temp.main === 'number' && temp.main > 0 ? temp.main : null
  return Object.freeze({
    memTotalBytes: mem.total,
    memAvailableBytes: mem.available,
    cpuCount: cpu.cores,
    cpuMHz: Math.round((cpu.speedMax || cpu.speed) * 1000),
    power,
    onBattery,
    temperatureC,
    board
  })
}
