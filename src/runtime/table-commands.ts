import type { CliSession } from './cli-context.ts'
import type { StickEntry, StickTable } from '../rules/stick/table.ts'
import { DT_NAMES, dataTypeId, isRate } from '../rules/stick/data-types.ts'
import { keyText, toKey } from '../rules/stick/keys.ts'

/** Stick table commands of the runtime API (HAProxy stick_table.c CLI):
 *  `show table [<name> [<filter>]*]`, `clear table <name> [<filter>]*`,
 *  `set table <name> key <k> [data.<type> <v>]*`. A filter is
 *  `key <k>` or `data.<type> <op> <value>`; texts and formats are HAProxy 2.6's. */

const OPS: Readonly<Record<string, (a: number, b: number) => boolean>> = {
  eq: (a, b) => a === b, ne: (a, b) => a !== b, le: (a, b) => a <= b, ge: (a, b) => a >= b, lt: (a, b) => a < b, gt: (a, b) => a > b
}

interface Filter { readonly key: string | null; readonly tests: ((t: StickTable, e: StickEntry) => boolean)[] }

function findTable (s: CliSession, name: string): StickTable | undefined {
  return s.engine.current.plan.stickTables?.get(name)
}

/** Parses the filters from <args>[<from>]; an error text instead on bad input. */
function parseFilters (table: StickTable, args: readonly string[], from: number): Filter | string {
  let key: string | null = null
  const tests: Filter['tests'] = []
  for (let i = from; i < args.length;) {
    const w = args[i]
    if (w === 'key') {
      const k = args[i + 1]
      if (k === undefined) return 'Key value expected\n'
      const norm = toKey(table.spec.type, table.spec.keyLen, k)
      if (norm === undefined) return 'Invalid key\n'
      key = norm
      i += 2
    } else if (w.startsWith('data.')) {
      const n = tests.length + 1
      const dt = dataTypeId(w.slice(5))
      if (dt < 0) return `Filter entry #${n}: Unknown data type\n`
      const op = OPS[args[i + 1] ?? '']
      if (op === undefined) return `Filter entry #${n}: Require and operator among "eq", "ne", "le", "ge", "lt", "gt"\n`
      const v = args[i + 2]
      if (v === undefined || !/^-?\d+$/.test(v)) return `Filter entry #${n}: Require a valid integer value to compare against\n`
      if (!table.stores(dt)) return `Filter entry #${n}: Data type not stored in this table\n`
      const ref = Number(v)
      tests.push((t, e) => op(t.read(e, dt) ?? 0, ref))
      i += 3
    } else {
      return 'Optional argument only supports "data.<store_data_type>" <operator> <value> or key <key>\n'
    }
  }
  return { key, tests }
}

function selected (table: StickTable, f: Filter): StickEntry[] {
  if (f.key !== null) {
    const e = table.lookup(f.key)
    return e === undefined || !f.tests.every(t => t(table, e)) ? [] : [e]
  }
  return sortByKey(table, table.entries()).filter(e => f.tests.every(t => t(table, e)))
}

/** HAProxy walks its key tree: addresses and integers in numeric order, strings in byte order. */
function sortByKey (table: StickTable, list: StickEntry[]): StickEntry[] {
  const type = table.spec.type
  const rank = (k: string): number => type === 'integer' ? Number(k) : type === 'ip' ? k.split('.').reduce((a, b) => a * 256 + Number(b), 0) : 0
  if (type === 'integer' || type === 'ip') return list.sort((a, b) => rank(a.key) - rank(b.key))
  return list.sort((a, b) => a.key < b.key ? -1 : a.key > b.key ? 1 : 0)
}

function headerLine (t: StickTable): string {
  return `# table: ${t.name}, type: ${t.spec.type}, size:${t.spec.size}, used:${t.used}\n`
}

function entryLine (t: StickTable, e: StickEntry): string {
  let out = `0x${(0x55d0a0000000 + e.serial * 0x80).toString(16)}: key=${keyText(t.spec.type, t.spec.keyLen, e.key)} use=${e.refs} exp=${t.remaining(e)}`
  const periods = t.spec.store.periods
  for (let dt = 0; dt < DT_NAMES.length; dt++) {
    if (!t.stores(dt)) continue
    const name = DT_NAMES[dt]
    if (name === 'server_key') { out += ` server_key=${e.serverKey}`; continue }
    out += isRate(dt) ? ` ${name}(${periods[dt]})=${t.read(e, dt)}` : ` ${name}=${t.read(e, dt)}`
  }
  return out + '\n'
}

/** `show table [<name> [<filter>]*]` */
export function showTable (args: readonly string[], s: CliSession): string {
  const name = args[2]
  if (name === undefined) return (s.engine.current.plan.stickTables?.list() ?? []).map(headerLine).join('')
  const t = findTable(s, name)
  if (t === undefined) return 'No such table\n'
  const f = parseFilters(t, args, 3)
  if (typeof f === 'string') return f
  return headerLine(t) + selected(t, f).map(e => entryLine(t, e)).join('')
}

/** `clear table <name> [<filter>]*` (entries in use stay) */
export function clearTable (args: readonly string[], s: CliSession): string {
  const name = args[2]
  if (name === undefined) return 'Required arguments: <table> "data.<store_data_type>" <operator> <value> or <table> key <key>\n'
  const t = findTable(s, name)
  if (t === undefined) return 'No such table\n'
  const f = parseFilters(t, args, 3)
  if (typeof f === 'string') return f
  if (f.key !== null) { for (const e of selected(t, f)) t.remove(e.key); return '' }
  t.clear(f.tests.length === 0 ? null : e => f.tests.every(test => test(t, e)))
  return ''
}

/** `set table <name> key <k> [data.<type> <value>]*` */
export function setTable (args: readonly string[], s: CliSession): string {
  const name = args[2]
  if (name === undefined) return 'Required arguments: <table> "data.<store_data_type>" <operator> <value> or <table> key <key>\n'
  const t = findTable(s, name)
  if (t === undefined) return 'No such table\n'
  if (args[3] !== 'key' || args[4] === undefined) return 'Key value expected\n'
  const key = toKey(t.spec.type, t.spec.keyLen, args[4])
  if (key === undefined) return 'Invalid key\n'
  const writes: [number, number][] = []
  for (let i = 5; i < args.length; i += 2) {
    const dt = args[i].startsWith('data.') ? dataTypeId(args[i].slice(5)) : -1
    if (dt < 0) return 'Unknown data type\n'
    if (!t.stores(dt)) return 'Data type not stored in this table\n'
    const v = args[i + 1]
    if (v === undefined || !/^-?\d+$/.test(v)) return 'Require a valid integer value to store\n'
    writes.push([dt, Number(v)])
  }
  const e = t.obtain(key)
  if (e === null) return 'Unable to allocate a new entry\n'
  for (const [dt, v] of writes) t.write(e, dt, v)
  return ''
}
