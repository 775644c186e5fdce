import { openSqlite, type Database } from './sqlite.ts'
import { MIGRATIONS } from './migrations.ts'

/** Opens (creating if needed) the device's SQLite file and brings its schema
 *  up to date. WAL: readers never wait for the writer and a crash leaves the
 *  last committed transaction intact; synchronous=FULL so that a power cut
 *  keeps what was committed (writes are batched, so the cost is small). */
export function openDb (path: string): Database {
  const db = openSqlite(path)
  db.pragma('journal_mode = WAL')
  db.pragma('synchronous = FULL')
  db.pragma('foreign_keys = ON')
  migrate(db)
  return db
}

/** Applies the migrations after the file's `user_version`, each in its own transaction. */
export function migrate (db: Database): void {
  const current = db.pragma('user_version', { simple: true }) as number
  if (current > MIGRATIONS.length) throw new Error(`store schema ${current} is newer than this firmware (${MIGRATIONS.length})`)
  for (let v = current; v < MIGRATIONS.length; v++) {
    db.transaction(() => {
      db.exec(MIGRATIONS[v])
      db.pragma(`user_version = ${v + 1}`)
    })()
  }
}
