import { existsSync } from 'node:fs'
import { openSqlite, type Database, type Statement } from './sqlite.ts'

/** The VRRP demo's "simulate failure" switch as last set from the UI, and since when. */
export interface SimulatedFailure { readonly on: boolean; readonly since: number }

const SIMULATED_FAILURE_KEY = 'vrrp.simulate-failure'

/** Settings the device keeps across restarts. Written at once (not batched):
 *  they change rarely and a reboot right after must find them. */
export class DeviceSettings {
  private readonly sel: Statement<[string]>
  private readonly put: Statement<[string, string, number]>

  constructor (db: Database) {
    this.sel = db.prepare('SELECT value, time FROM device_settings WHERE key = ?')
    this.put = db.prepare('INSERT INTO device_settings (key, value, time) VALUES (?, ?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value, time = excluded.time')
  }

  /** Off since 0 when never set. */
  simulatedFailure (): SimulatedFailure {
    const row = this.sel.get(SIMULATED_FAILURE_KEY) as { value: string; time: number } | undefined
    return row === undefined ? { on: false, since: 0 } : { on: row.value === 'on', since: row.time }
  }

  setSimulatedFailure (on: boolean, now = Date.now()): void { this.put.run(SIMULATED_FAILURE_KEY, on ? 'on' : 'off', now) }
}

/** Whether the store at <path> has the simulated failure on, read by the main process
 *  before the UI worker opens the store: the VRRP engine hears it right after its
 *  instances start, before a Master_Down timer could make this node master.
 *  False when there is no store yet or it predates the setting. */
export function simulatedFailureKept (path: string): boolean {
  if (!existsSync(path)) return false
  let db: Database | null = null
  try {
    db = openSqlite(path)
    return new DeviceSettings(db).simulatedFailure().on
  } catch {
    return false
  } finally {
    db?.close()
  }
}
