import { RulesError } from './types.ts'
import type { Sample, SmpType } from './sample.ts'
import { leadingInt } from './sample.ts'
import { parseIp, parseNetwork, otherFamily, maskAddr } from './ip.ts'
import type { IpAddr } from './ip.ts'

/** Pattern matching (HAProxy pattern.c): a list of patterns compiled once into
 *  an index for one match method. ACLs and maps share it. */
export type MatchMethod = 'str' | 'beg' | 'end' | 'sub' | 'dir' | 'dom' | 'reg' | 'len' | 'int' | 'ip' | 'bin' | 'meth' | 'found' | 'bool'

export const MATCH_METHODS: ReadonlySet<string> = new Set<MatchMethod>(['str', 'beg', 'end', 'sub', 'dir', 'dom', 'reg', 'len', 'int', 'ip', 'bin', 'meth', 'found', 'bool'])

export interface PatternEntry { readonly key: string; readonly value: string }

/** Finds the entry a sample (already of methodInput(method) type) matches. */
export type Lookup = (v: Sample) => PatternEntry | undefined

/** Sample type a method compares against. */
export function methodInput (m: MatchMethod): SmpType {
  if (m === 'int') return 'int'
  if (m === 'ip') return 'ip'
  if (m === 'bool') return 'bool'
  if (m === 'bin') return 'bin'
  return 'str'
}

/** Builds the index for <entries> (file/declaration order matters: on several
 *  matches the first one wins, except case-sensitive `beg`, which HAProxy
 *  keeps in a prefix tree and answers with the longest prefix). <icase>
 *  means patterns were given with -i. Throws RulesError on a bad pattern. */
export function buildLookup (m: MatchMethod, entries: readonly PatternEntry[], icase: boolean): Lookup {
  switch (m) {
    case 'str': case 'meth': return exactLookup(entries, icase, k => k)
    case 'bin': return exactLookup(entries, false, hexToBytes)
    case 'beg': return affixLookup(entries, icase, true)
    case 'end': return affixLookup(entries, icase, false)
    case 'sub': return subLookup(entries, icase)
    case 'reg': return regLookup(entries, icase)
    case 'dir': return wordLookup(entries, icase, '/?')
    case 'dom': return wordLookup(entries, icase, '/?.:')
    case 'int': return rangeLookup(entries, v => v as number)
    case 'len': return rangeLookup(entries, v => (v as string).length)
    case 'ip': return ipLookup(entries)
    case 'found': case 'bool': throw new RulesError(`match method '${m}' takes no pattern`)
  }
}

function exactLookup (entries: readonly PatternEntry[], icase: boolean, keyOf: (k: string) => string): Lookup {
  const index = new Map<string, PatternEntry>()
  for (const e of entries) {
    const k = keyOf(icase ? e.key.toLowerCase() : e.key)
    if (!index.has(k)) index.set(k, e)
  }
  if (icase) return v => index.get((v as string).toLowerCase())
  return v => index.get(v as string)
}

function hexToBytes (hex: string): string {
  if (!/^([0-9a-fA-F]{2})*$/.test(hex)) throw new RulesError(`'${hex}' is not a valid hex string`)
  return Buffer.from(hex, 'hex').toString('latin1')
}

interface Ranked { readonly e: PatternEntry; readonly rank: number }

/** beg/end: one hash per distinct pattern length, probed longest first. */
function affixLookup (entries: readonly PatternEntry[], icase: boolean, begin: boolean): Lookup {
  const byLen = new Map<number, Map<string, Ranked>>()
  entries.forEach((e, rank) => {
    const k = icase ? e.key.toLowerCase() : e.key
    let m = byLen.get(k.length)
    if (m === undefined) byLen.set(k.length, m = new Map())
    if (!m.has(k)) m.set(k, { e, rank })
  })
  const lens = [...byLen.keys()].sort((a, b) => b - a)
  const tables = lens.map(l => byLen.get(l) as Map<string, Ranked>)
  const longestWins = begin && !icase
  return (v) => {
    const str = icase ? (v as string).toLowerCase() : v as string
    let best: Ranked | undefined
    for (let i = 0; i < lens.length; i++) {
      const len = lens[i]
      if (len > str.length) continue
      const hit = tables[i].get(begin ? str.slice(0, len) : str.slice(str.length - len))
      if (hit === undefined) continue
      if (longestWins) return hit.e
      if (best === undefined || hit.rank < best.rank) best = hit
    }
    return best?.e
  }
}

function subLookup (entries: readonly PatternEntry[], icase: boolean): Lookup {
  const keys = entries.map(e => icase ? e.key.toLowerCase() : e.key)
  return (v) => {
    const str = icase ? (v as string).toLowerCase() : v as string
    for (let i = 0; i < keys.length; i++) if (str.includes(keys[i])) return entries[i]
    return undefined
  }
}

function regLookup (entries: readonly PatternEntry[], icase: boolean): Lookup {
  const res = entries.map(e => {
    try { return new RegExp(e.key, icase ? 'i' : '') } catch (err) { throw new RulesError(`regex '${e.key}' is invalid: ${(err as Error).message}`) }
  })
  return (v) => {
    for (let i = 0; i < res.length; i++) if (res[i].test(v as string)) return entries[i]
    return undefined
  }
}

/** dir/dom: a pattern matches a run of whole words of the sample, words being
 *  separated by <delims> (HAProxy match_word). Patterns lose their leading
 *  and trailing delimiters; every word-aligned slice of the sample is probed
 *  in a hash, the earliest declared pattern wins. */
function wordLookup (entries: readonly PatternEntry[], icase: boolean, delims: string): Lookup {
  const index = new Map<string, Ranked>()
  entries.forEach((e, rank) => {
    let k = icase ? e.key.toLowerCase() : e.key
    let a = 0
    let b = k.length
    while (a < b && delims.includes(k[a])) a++
    while (b > a && delims.includes(k[b - 1])) b--
    k = k.slice(a, b)
    if (k !== '' && !index.has(k)) index.set(k, { e, rank })
  })
  return (v) => {
    const str = icase ? (v as string).toLowerCase() : v as string
    let best: Ranked | undefined
    for (let p = 0; p < str.length; p++) {
      if (delims.includes(str[p]) || (p > 0 && !delims.includes(str[p - 1]))) continue
      for (let q = p + 1; q <= str.length; q++) {
        if (q < str.length && !delims.includes(str[q])) continue
        const hit = index.get(str.slice(p, q))
        if (hit !== undefined && (best === undefined || hit.rank < best.rank)) best = hit
      }
    }
    return best?.e
  }
}

/** int/len patterns: "N", "A:B", ":B", "A:" (bounds included). */
function rangeLookup (entries: readonly PatternEntry[], numOf: (v: Sample) => number): Lookup {
  const lo: number[] = []
  const hi: number[] = []
  for (const e of entries) {
    const r = parseRange(e.key)
    lo.push(r[0]); hi.push(r[1])
  }
  return (v) => {
    const n = numOf(v)
    for (let i = 0; i < lo.length; i++) if (n >= lo[i] && n <= hi[i]) return entries[i]
    return undefined
  }
}

export function parseRange (key: string): [number, number] {
  const m = /^(-?\d+)?(?::(-?\d+)?)?$/.exec(key)
  if (m === null || key === '' || key === ':') throw new RulesError(`'${key}' is not a number or a range`)
  const isRange = key.includes(':')
  const lo = m[1] === undefined ? -Infinity : leadingInt(m[1])
  const hi = m[2] === undefined ? (isRange ? Infinity : lo) : leadingInt(m[2])
  return [lo, hi]
}

/** ip: longest-prefix match, one hash per prefix length and family; an
 *  address with a form in the other family (::ffff:a.b.c.d) tries it too. */
function ipLookup (entries: readonly PatternEntry[]): Lookup {
  const v4 = new Map<number, Map<number, PatternEntry>>()
  const v6 = new Map<number, Map<bigint, PatternEntry>>()
  for (const e of entries) {
    const net = parseNetwork(e.key)
    if (net === null) throw new RulesError(`'${e.key}' is not a valid IPv4 or IPv6 address`)
    if (net.addr.v6) {
      let m = v6.get(net.bits)
      if (m === undefined) v6.set(net.bits, m = new Map())
      if (!m.has(net.addr.n)) m.set(net.addr.n, e)
    } else {
      let m = v4.get(net.bits)
      if (m === undefined) v4.set(net.bits, m = new Map())
      if (!m.has(net.addr.n)) m.set(net.addr.n, e)
    }
  }
  const bits4 = [...v4.keys()].sort((a, b) => b - a)
  const bits6 = [...v6.keys()].sort((a, b) => b - a)
  const probe = (a: IpAddr): PatternEntry | undefined => {
    if (a.v6) {
      for (const bits of bits6) { const hit = v6.get(bits)?.get(maskAddr(a, bits).n as bigint); if (hit) return hit }
    } else {
      for (const bits of bits4) { const hit = v4.get(bits)?.get(maskAddr(a, bits).n as number); if (hit) return hit }
    }
    return undefined
  }
  return (v) => {
    const a = parseIp(v as string)
    if (a === null) return undefined
    const hit = probe(a)
    if (hit !== undefined) return hit
    const other = otherFamily(a)
    return other === null ? undefined : probe(other)
  }
}
