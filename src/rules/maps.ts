import { readFileSync } from 'node:fs'
import { RulesError } from './types.ts'
import { buildLookup } from './pattern.ts'
import type { Lookup, MatchMethod, PatternEntry } from './pattern.ts'

/** One map file: its entries in file order and the indexes built over them
 *  (one per match method in use: map_str and map_dom on the same file need
 *  different indexes). Converters hold the MapFile and call lookup(). */
export class MapFile {
  readonly path: string
  private entries: PatternEntry[]
  private readonly lookups = new Map<MatchMethod, Lookup>()

  constructor (path: string, entries: PatternEntry[]) {
    this.path = path
    this.entries = entries
  }

  /** Entries in file order (a copy: edit through MapStore). */
  list (): PatternEntry[] { return this.entries.slice() }

  get size (): number { return this.entries.length }

  /** Index for <method>, built on first use (throws RulesError on bad keys). */
  index (method: MatchMethod): Lookup {
    let l = this.lookups.get(method)
    if (l === undefined) this.lookups.set(method, l = buildLookup(method, this.entries, false))
    return l
  }

  /** Value mapped to sample <v> by <method>, undefined when no key matches. */
  lookup (method: MatchMethod, v: string | number): string | undefined {
    return this.index(method)(v)?.value
  }

  /** Replaces the entries and rebuilds every index in use; on a bad key the
   *  previous state is kept and RulesError is thrown. */
  replace (entries: PatternEntry[]): void {
    const rebuilt = new Map<MatchMethod, Lookup>()
    for (const m of this.lookups.keys()) rebuilt.set(m, buildLookup(m, entries, false))
    this.entries = entries
    for (const [m, l] of rebuilt) this.lookups.set(m, l)
  }
}

/** Parses map file text: `key value` lines (value = rest of the line after
 *  the blanks following the key), `#` comments, blank lines ignored. */
export function parseMapText (text: string): PatternEntry[] {
  const out: PatternEntry[] = []
  for (const raw of text.split('\n')) {
    const line = raw.replace(/\r$/, '').trim()
    if (line === '' || line.startsWith('#')) continue
    const m = /^(\S+)(?:\s+(.*))?$/.exec(line) as RegExpExecArray
    out.push({ key: m[1], value: m[2] ?? '' })
  }
  return out
}

/** All map files of one configuration, by resolved path. Loaded once at
 *  config time; the runtime API edits them in place (`add map`, `set map`,
 *  `del map`, `clear map`) and lookups see the change on the next request. */
export class MapStore {
  private readonly files = new Map<string, MapFile>()

  /** Returns the map at <path>, reading it the first time. */
  load (path: string): MapFile {
    let f = this.files.get(path)
    if (f !== undefined) return f
    let text: string
    try { text = readFileSync(path, 'latin1') } catch (err) {
      throw new RulesError(`failed to open map file '${path}': ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`)
    }
    f = new MapFile(path, parseMapText(text))
    this.files.set(path, f)
    return f
  }

  get (path: string): MapFile | undefined { return this.files.get(path) }

  paths (): string[] { return [...this.files.keys()] }

  /** `add map <path> <key> <value>`: appends (duplicates allowed, first wins). */
  add (path: string, key: string, value: string): void {
    const f = this.must(path)
    f.replace([...f.list(), { key, value }])
  }

  /** `set map <path> <key> <value>`: changes the value of every entry with <key>. */
  set (path: string, key: string, value: string): boolean {
    const f = this.must(path)
    let found = false
    const next = f.list().map(e => { if (e.key !== key) return e; found = true; return { key, value } })
    if (found) f.replace(next)
    return found
  }

  /** `del map <path> <key>`: removes every entry with <key>. */
  del (path: string, key: string): boolean {
    const f = this.must(path)
    const next = f.list().filter(e => e.key !== key)
    if (next.length === f.size) return false
    f.replace(next)
    return true
  }

  clear (path: string): void { this.must(path).replace([]) }

  private must (path: string): MapFile {
    const f = this.files.get(path)
    if (f === undefined) throw new RulesError(`unknown map identifier '${path}'`)
    return f
  }
}

/** Store used when the RulesCtx brings none (one configuration per process). */
export const defaultMapStore = new MapStore()
