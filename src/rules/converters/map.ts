import { isAbsolute, join } from 'node:path'
import type { ConvDef, Sample, SmpType } from '../sample.ts'
import { leadingInt } from '../sample.ts'
import type { MatchMethod } from '../pattern.ts'
import { parseIp } from '../ip.ts'
import { RulesError } from '../types.ts'

/** map_<match>[_<output>](<file>[,<default>]) (HAProxy map.c): looks the
 *  sample up in a map file through the configuration's MapStore, so that
 *  runtime edits are seen by the next request. */
const METHODS: readonly MatchMethod[] = ['str', 'beg', 'sub', 'dir', 'dom', 'end', 'reg', 'int', 'ip']
const OUTPUTS = ['str', 'int', 'ip'] as const

function mapConv (method: MatchMethod, out: 'str' | 'int' | 'ip'): ConvDef {
  const input: SmpType = method === 'int' ? 'int' : method === 'ip' ? 'ip' : 'str'
  const toOut = out === 'str'
    ? (v: string): Sample | undefined => v
    : out === 'int' ? (v: string): Sample | undefined => leadingInt(v) : (v: string): Sample | undefined => parseIp(v) === null ? undefined : v
  return {
    args: [{ kind: 'str' }, { kind: 'str', optional: true }], in: input, out,
    compile: (args, cc) => {
      if (args[0] === '') throw new RulesError('missing map file name')
      const path = isAbsolute(args[0]) ? args[0] : join(cc.baseDir, args[0])
      const file = cc.maps.load(path)
      file.index(method) // WHY: bad keys must fail at config time, not on the first request
      const dflt = args[1] === undefined ? undefined : toOut(args[1])
      if (args[1] !== undefined && dflt === undefined) throw new RulesError(`invalid default value '${args[1]}' for map output type '${out}'`)
      return (v: Sample) => {
        const hit = file.lookup(method, v as string | number)
        return hit === undefined ? dflt : toOut(hit)
      }
    }
  }
}

function buildTable (): Record<string, ConvDef> {
  const t: Record<string, ConvDef> = { map: mapConv('str', 'str') }
  for (const m of METHODS) {
    t[`map_${m}`] = mapConv(m, 'str')
    for (const o of OUTPUTS) t[`map_${m}_${o}`] = mapConv(m, o)
  }
  return t
}

export const MAP_CONVERTERS: Readonly<Record<string, ConvDef>> = buildTable()
