import { createRequire } from 'node:module'

/** The part of better-sqlite3's API the store uses (the package ships no
 *  types; declaring only what is called keeps the contract visible). */
export interface Statement<P extends unknown[] = unknown[]> {
  run (...params: P): { changes: number; lastInsertRowid: number | bigint }
  get (...params: P): unknown
  all (...params: P): unknown[]
}

export interface Database {
  prepare<P extends unknown[] = unknown[]> (sql: string): Statement<P>
  exec (sql: string): void
  pragma (sql: string, opts?: { simple: boolean }): unknown
  transaction<A extends unknown[]> (fn: (...args: A) => void): (...args: A) => void
  close (): void
  readonly open: boolean
}

type DatabaseCtor = new (path: string, opts?: { timeout?: number }) => Database

// WHY createRequire: better-sqlite3 is a CommonJS native addon, kept external by the bundle
const require = createRequire(import.meta.url)

export function openSqlite (path: string): Database {
  const Ctor = require('better-sqlite3') as DatabaseCtor
  return new Ctor(path, { timeout: 5000 })
}
