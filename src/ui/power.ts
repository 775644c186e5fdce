import { readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import type { PowerSource } from '../tuning/types.ts'

/** Where Linux lists the power supplies (AC adapter, USB input, battery). */
export const POWER_SUPPLY_DIR = '/sys/class/power_supply'

export interface PowerReading {
  /** what feeds the device now */
  readonly source: PowerSource
  /** battery charge 0..100, null without a battery */
  readonly batteryPercent: number | null
  /** the battery's "Charging", "Discharging", "Full"…, null without a battery */
  readonly batteryStatus: string | null
  /** 'live': read from the kernel now; 'start': the tuning inputs read at start (no supply listed) */
  readonly from: 'live' | 'start'
}

function attr (dir: string, name: string): string | null {
  try { return readFileSync(join(dir, name), 'utf8').trim() } catch { return null }
}

/** Reads the power supplies under <root> (a few small sysfs files, read in the UI
 *  worker, never in the data plane). An online Mains supply wins over USB, USB over
 *  the battery; with no supply listed, <atStart> (the tuning profile's reading) stands. */
export function readPower (atStart: PowerSource | null, root = POWER_SUPPLY_DIR): PowerReading {
  let names: string[]
  try { names = readdirSync(root) } catch { names = [] }
  let mains = false, usb = false
  let battery: { percent: number | null; status: string | null } | null = null
  for (const name of names) {
    const dir = join(root, name)
    const type = attr(dir, 'type') ?? ''
    if (type === 'Battery') {
      if (attr(dir, 'present') === '0') continue
      const capacity = Number(attr(dir, 'capacity') ?? NaN)
      battery = { percent: Number.isFinite(capacity) ? capacity : null, status: attr(dir, 'status') }
    } else if (attr(dir, 'online') === '1') {
      if (type === 'Mains') mains = true
      else if (type.startsWith('USB')) usb = true
    }
  }
  const listed = mains || usb || battery !== null
  const source: PowerSource = mains ? 'mains' : usb ? 'usb' : battery !== null ? 'battery' : atStart ?? 'unknown'
  return { source, batteryPercent: battery?.percent ?? null, batteryStatus: battery?.status ?? null, from: listed ? 'live' : 'start' }
}
