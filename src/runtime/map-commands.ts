import type { MapFile } from '../rules/maps.ts'
import type { CliSession } from './cli-context.ts'

/** Map commands of the runtime API over the configuration's MapStore. A map
 *  is named by its file path or by "#<id>" (its rank in load order); entries
 *  are shown with a "0x<n>" reference (their rank in the map) that
 *  `del map`/`set map` accept as "#0x<n>". Texts are HAProxy 2.6's. */

const UNKNOWN_MAP = 'Unknown map identifier. Please use #<id> or <file>.\n'

function resolve (s: CliSession, ident: string | undefined): { path: string; file: MapFile } | null {
  if (ident === undefined) return null
  const paths = s.maps.paths()
  const path = /^#\d+$/.test(ident) ? paths[Number(ident.slice(1))] : ident
  const file = path === undefined ? undefined : s.maps.get(path)
  return path === undefined || file === undefined ? null : { path, file }
}

const entryRef = (i: number): string => '0x' + i.toString(16)

/** Keys designated by <key>: a "#0x<n>" entry reference, else the key itself. */
function keyOf (file: MapFile, key: string): string | null {
  if (!key.startsWith('#')) return key
  const i = Number.parseInt(key.slice(1), 16)
  return file.list()[i]?.key ?? null
}

/** `show map [<map>]` */
export function showMap (args: readonly string[], s: CliSession): string {
  if (args[2] === undefined) {
    let out = '# id (file) description\n'
    s.maps.paths().forEach((p, id) => {
      out += `${id} (${p}) pattern loaded from file '${p}'. curr_ver=0 next_ver=0 entry_cnt=${s.maps.get(p)?.size ?? 0}\n`
    })
    return out
  }
  const m = resolve(s, args[2])
  if (m === null) return UNKNOWN_MAP
  return m.file.list().map((e, i) => `${entryRef(i)} ${e.key} ${e.value}\n`).join('')
}

/** `add map <map> <key> <value>` */
export function addMap (args: readonly string[], s: CliSession): string {
  if (args.length !== 5) return "'add map' expects three parameters (map identifier, key and value) or one parameter (map identifier) and a payload\n"
  const m = resolve(s, args[2])
  if (m === null) return UNKNOWN_MAP
  s.maps.add(m.path, args[3], args[4])
  return ''
}

/** `set map <map> <key>|#<ref> <value>` */
export function setMap (args: readonly string[], s: CliSession): string {
  if (args.length < 5) return "'set map' expects three parameters: map identifier, key and value.\n"
  const m = resolve(s, args[2])
  if (m === null) return UNKNOWN_MAP
  const key = keyOf(m.file, args[3])
  if (key === null || !s.maps.set(m.path, key, args.slice(4).join(' '))) return 'entry not found.\n'
  return ''
}

/** `del map <map> <key>|#<ref>` */
export function delMap (args: readonly string[], s: CliSession): string {
  if (args.length < 4) return 'This command expects two parameters: map identifier and key.\n'
  const m = resolve(s, args[2])
  if (m === null) return UNKNOWN_MAP
  const key = keyOf(m.file, args[3])
  if (key === null || !s.maps.del(m.path, key)) return 'Key not found.\n'
  return ''
}

/** `clear map <map>` */
export function clearMap (args: readonly string[], s: CliSession): string {
  const m = resolve(s, args[2])
  if (m === null) return UNKNOWN_MAP
  s.maps.clear(m.path)
  return ''
}

/** `get map <map> <value>`: exact-match lookup, in HAProxy's format. */
export function getMap (args: readonly string[], s: CliSession): string {
  const m = resolve(s, args[2])
  if (m === null) return UNKNOWN_MAP
  const v = args[3] ?? ''
  const e = m.file.list().find(x => x.key === v)
  if (e === undefined) return 'type=str, case=sensitive, found=no, idx=tree, key="", value="", type="str"\n'
  return `type=str, case=sensitive, found=yes, idx=tree, key="${e.key}", value="${e.value}", type="str"\n`
}
