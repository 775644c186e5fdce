import { createHash } from 'node:crypto'
import type { Database, Statement } from './sqlite.ts'

export interface ConfigVersion {
  readonly id: number
  readonly time: number
  readonly author: string
  readonly comment: string
  readonly checksum: string
  readonly valid: boolean
  /** alerts then warnings of the validation, as the checker printed them */
  readonly messages: readonly string[]
  readonly applied: boolean
}

export interface ConfigVersionText extends ConfigVersion { readonly text: string }

interface Row { id: number; time: number; author: string; comment: string; checksum: string; valid: number; messages: string; applied: number; text?: string }

function fromRow (r: Row): ConfigVersionText {
  return { id: r.id, time: r.time, author: r.author, comment: r.comment, checksum: r.checksum, valid: r.valid === 1, messages: JSON.parse(r.messages) as string[], applied: r.applied === 1, text: r.text ?? '' }
}

export function checksum (text: string): string { return createHash('sha256').update(text).digest('hex').slice(0, 16) }

/** Every configuration text validated or applied through the UI, newest
 *  first. Written at once: a version is the record of what went live. */
export class ConfigVersions {
  private readonly insert: Statement<[number, string, string, string, string, number, string, number]>
  private readonly list: Statement<[number]>
  private readonly one: Statement<[number]>
  private readonly lastApplied: Statement

  constructor (db: Database) {
    this.insert = db.prepare('INSERT INTO config_versions (time, author, comment, checksum, text, valid, messages, applied) VALUES (?, ?, ?, ?, ?, ?, ?, ?)')
    this.list = db.prepare('SELECT id, time, author, comment, checksum, valid, messages, applied FROM config_versions ORDER BY id DESC LIMIT ?')
    this.one = db.prepare('SELECT * FROM config_versions WHERE id = ?')
    this.lastApplied = db.prepare('SELECT * FROM config_versions WHERE applied = 1 ORDER BY id DESC LIMIT 1')
  }

  add (v: { author: string; comment: string; text: string; valid: boolean; messages: readonly string[]; applied: boolean }, now = Date.now()): number {
    const r = this.insert.run(now, v.author, v.comment, checksum(v.text), v.text, v.valid ? 1 : 0, JSON.stringify(v.messages), v.applied ? 1 : 0)
    return Number(r.lastInsertRowid)
  }

  recent (limit = 50): ConfigVersion[] {
    return (this.list.all(limit) as Row[]).map(r => { const { text: _t, ...v } = fromRow(r); return v })
  }

  get (id: number): ConfigVersionText | null {
    const r = this.one.get(id) as Row | undefined
    return r === undefined ? null : fromRow(r)
  }

  latestApplied (): ConfigVersionText | null {
    const r = this.lastApplied.get() as Row | undefined
    return r === undefined ? null : fromRow(r)
  }
}
