/** Value readers shared by the keepalived section compilers. Each pushes a
 *  file:line alert and returns null on a bad value. */
import type { Where } from '../../core/where.ts'
import type { KaStatement } from './parse.ts'

export interface Diag { readonly alerts: string[]; readonly warnings: string[] }

export const at = (w: Where): string => `${w.file}:${w.line}`

export function alert (d: Diag, s: KaStatement | Where, msg: string): void {
  d.alerts.push(`${at('where' in s ? s.where : s)}: ${msg}`)
}

export function warn (d: Diag, s: KaStatement, msg: string): void {
  d.warnings.push(`${at(s.where)}: ${msg}`)
}

/** The single argument of <s>, or null with an alert. */
export function oneArg (d: Diag, s: KaStatement): string | null {
  if (s.args.length < 1) { alert(d, s, `${s.kw} requires a value`); return null }
  return s.args[0]!
}

export function intArg (d: Diag, s: KaStatement, min: number, max: number): number | null {
  const v = oneArg(d, s)
  if (v === null) return null
  if (!/^-?\d+$/.test(v) || Number(v) < min || Number(v) > max) {
    alert(d, s, `${s.kw} '${v}' is invalid - must be between ${min} and ${max}`)
    return null
  }
  return Number(v)
}

/** A duration in seconds, possibly fractional, returned in ms. */
export function secondsArg (d: Diag, s: KaStatement, minMs: number, maxMs: number): number | null {
  const v = oneArg(d, s)
  if (v === null) return null
  const ms = /^\d+(\.\d+)?$/.test(v) ? Math.round(Number(v) * 1000) : NaN
  if (!(ms >= minMs && ms <= maxMs)) {
    alert(d, s, `${s.kw} '${v}' is invalid - must be between ${minMs / 1000} and ${maxMs / 1000} seconds`)
    return null
  }
  return ms
}

export function isIpv4 (v: string): boolean {
  const p = v.split('.')
  return p.length === 4 && p.every(x => /^\d{1,3}$/.test(x) && Number(x) <= 255)
}

export function ipv4Arg (d: Diag, s: KaStatement, v: string | null): string | null {
  if (v === null) return null
  if (!isIpv4(v)) { alert(d, s, `${s.kw}: '${v}' is not a valid IPv4 address`); return null }
  return v
}

/** Joins the words of a script line; keepalived takes the rest of the line as the command. */
export function commandArg (d: Diag, s: KaStatement): string | null {
  if (!s.args.length) { alert(d, s, `${s.kw} requires a command`); return null }
  return s.args.join(' ')
}

/** Every word of every line of a list block (`unicast_peer { a b \n c }`). */
export function blockWords (d: Diag, s: KaStatement): { word: string; stmt: KaStatement }[] {
  if (!s.block) { alert(d, s, `${s.kw} requires a block { ... }`); return [] }
  const out: { word: string; stmt: KaStatement }[] = []
  for (const line of s.block) for (const w of [line.kw, ...line.args]) out.push({ word: w, stmt: line })
  return out
}
