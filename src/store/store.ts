import { openDb } from './db.ts'
import type { Database } from './sqlite.ts'
import { WriteBatcher } from './batch.ts'
import { Users } from './users.ts'
import { ConfigVersions } from './versions.ts'
import { Events } from './events.ts'
import { StatsHistory } from './stats.ts'
import { DeviceSettings } from './settings.ts'

/** The device's store: one SQLite file, opened by the UI worker only. */
export class Store {
  readonly users: Users
  readonly versions: ConfigVersions
  readonly events: Events
  readonly stats: StatsHistory
  readonly settings: DeviceSettings
  readonly batch: WriteBatcher

  private constructor (readonly db: Database, opts: { flushMs?: number; ringSize?: number }) {
    this.batch = new WriteBatcher(ops => db.transaction(() => { for (const op of ops) op() })(), opts.flushMs ?? 1000)
    this.users = new Users(db)
    this.versions = new ConfigVersions(db)
    this.events = new Events(db, this.batch, opts.ringSize)
    this.stats = new StatsHistory(db, this.batch)
    this.settings = new DeviceSettings(db)
  }

  /** <path> ":memory:" for tests; <flushMs>: longest delay of a batched write. */
  static open (path: string, opts: { flushMs?: number; ringSize?: number } = {}): Store {
    return new Store(openDb(path), opts)
  }

  /** Commits pending batched writes and closes the file. */
  close (): void {
    if (!this.db.open) return
    this.batch.flush()
    this.db.close()
  }
}
