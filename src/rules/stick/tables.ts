import type { Where } from '../../core/where.ts'
import { RulesError } from '../types.ts'
import { parseSize, parseTime } from '../../config/durations.ts'
import { EMPTY_STORE, parseStore, type StoreSpec } from './data-types.ts'
import { KEY_TYPES, type KeyType } from './keys.ts'
import { StickTable, type TableSpec } from './table.ts'

/** The stick tables of one configuration, by name (a proxy's own table is
 *  named after the proxy). Rules may name a table declared further down the
 *  file: ref() hands out the table at once and config/ checks at the end
 *  that every referenced table was declared (undeclared()). */
export class StickTables {
  readonly #byName = new Map<string, StickTable>()
  /** first place each table was named, for the message when it is missing */
  readonly #referenced = new Map<string, Where | null>()
  #here: Where | null = null

  constructor (private readonly now: () => number = Date.now) {}

  /** Where the configuration is being read (config/ calls it per line). */
  locate (where: Where): void { this.#here = where }

  /** The table <name>, declared or not yet. */
  ref (name: string): StickTable {
    if (!this.#referenced.has(name)) this.#referenced.set(name, this.#here)
    return this.table(name)
  }

  get (name: string): StickTable | undefined {
    const t = this.#byName.get(name)
    return t?.declared === true ? t : undefined
  }

  /** Declared tables sorted by name (HAProxy's `show table` order). */
  list (): StickTable[] {
    return [...this.#byName.values()].filter(t => t.declared).sort((a, b) => a.name < b.name ? -1 : a.name > b.name ? 1 : 0)
  }

  /** Tables used by rules but never declared, with where they were first named. */
  undeclared (): { name: string; where: Where | null }[] {
    return [...this.#referenced].filter(([n]) => this.#byName.get(n)?.declared !== true).map(([name, where]) => ({ name, where }))
  }

  /** `stick-table <words>` of proxy <name>: <words> follow the keyword. */
  declare (name: string, words: readonly string[]): StickTable {
    const t = this.table(name)
    if (t.declared) throw new RulesError(`stick-table name '${name}' conflicts with another table`)
    t.declare(parseTableWords(words))
    return t
  }

  private table (name: string): StickTable {
    let t = this.#byName.get(name)
    if (t === undefined) { t = new StickTable(name, this.now); this.#byName.set(name, t) }
    return t
  }
}

/** `type <t> [len <n>] size <n> [expire <time>] [nopurge] [peers <p>] [store <list>]...` */
function parseTableWords (words: readonly string[]): TableSpec {
  let type: KeyType | null = null
  let keyLen = 32
  let size = 0
  let expire = 0
  let nopurge = false
  let store: StoreSpec = EMPTY_STORE
  for (let i = 0; i < words.length; i++) {
    const w = words[i]
    const v = words[i + 1]
    if (w === 'nopurge') { nopurge = true; continue }
    if (v === undefined) throw new RulesError(`stick-table: '${w}' expects an argument`)
    i++
    if (w === 'type') {
      if (!KEY_TYPES.has(v)) throw new RulesError(`stick-table: unknown type '${v}'`)
      type = v as KeyType
    } else if (w === 'len') {
      if (!/^\d+$/.test(v) || Number(v) < 1) throw new RulesError(`stick-table: invalid length '${v}'`)
      keyLen = Number(v)
    } else if (w === 'size') {
      const n = parseSize(v)
      if (typeof n !== 'number' || n < 1) throw new RulesError(`stick-table: invalid size '${v}'`)
      size = n
    } else if (w === 'expire') {
      const t = parseTime(v)
      if (typeof t !== 'number') throw new RulesError(`stick-table: ${t.error} in 'expire'`)
      expire = t
    } else if (w === 'store') {
      store = parseStore(v, store)
    } else if (w === 'peers' || w === 'srvkey' || w === 'write-to') {
      // accepted: no peer synchronisation on this device
    } else {
      throw new RulesError(`stick-table: unknown argument '${w}'`)
    }
  }
  if (type === null) throw new RulesError("stick-table: missing 'type'")
  if (size === 0) throw new RulesError("stick-table: missing 'size'")
  return { type, keyLen, size, expire, store, nopurge }
}
