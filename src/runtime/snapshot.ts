import type { Engine } from '../proxy/engine.ts'
import { VERSION } from '../version.ts'
import type { VrrpStatus } from '../vrrp/types.ts'
import type { Limits, PowerSource } from '../tuning/types.ts'

export interface ServerSnapshot {
  readonly name: string
  readonly address: string
  /** UP, DOWN, MAINT, DRAIN */
  readonly status: string
  readonly weight: number
  readonly cur: number
  readonly total: number
  readonly backup: boolean
  readonly checked: boolean
}

export interface BackendSnapshot {
  readonly name: string
  readonly mode: string
  readonly balance: string
  readonly cur: number
  readonly total: number
  readonly queue: number
  /** responses by class 1xx..5xx, other */
  readonly hrsp: readonly number[]
  readonly connErrors: number
  readonly servers: readonly ServerSnapshot[]
}

export interface FrontendSnapshot {
  readonly name: string
  readonly mode: string
  readonly binds: readonly string[]
  readonly cur: number
  readonly total: number
  readonly requests: number
  readonly hrsp: readonly number[]
  readonly denied: number
  readonly bytesIn: number
  readonly bytesOut: number
}

/** What the device runs beside the proxy; null = not configured. */
export interface DeviceInfo {
  readonly vrrp: readonly VrrpStatus[] | null
  readonly tuning: Limits | null
  /** the power source the tuning profile was chosen for, and the board file's name */
  readonly power: { readonly source: PowerSource; readonly board: string | null } | null
}

/** The live counters the UI samples once a second (cumulative; the worker derives rates). */
export interface Snapshot {
  readonly time: number
  readonly version: string
  readonly pid: number
  readonly startedAt: number
  readonly actconn: number
  readonly totalConns: number
  readonly totalReqs: number
  readonly bytesIn: number
  readonly bytesOut: number
  /** streams ended, by the two first characters of their termination state */
  readonly termCodes: Readonly<Record<string, number>>
  readonly listeners: readonly { key: string; port: number }[]
  readonly frontends: readonly FrontendSnapshot[]
  readonly backends: readonly BackendSnapshot[]
  readonly device: DeviceInfo
}

/** Copies the engine's live counters into a plain object (crosses the channel). */
export function takeSnapshot (engine: Engine, termCodes: ReadonlyMap<string, number>, device: DeviceInfo): Snapshot {
  const gen = engine.current
  const p = engine.process
  let bytesIn = 0, bytesOut = 0
  const frontends = gen.frontends.map(fe => {
    bytesIn += fe.bytesIn; bytesOut += fe.bytesOut
    return {
      name: fe.plan.name, mode: fe.plan.mode, binds: fe.plan.binds.map(b => b.kind === 'tcp' ? `${b.host || '*'}:${b.port}` : b.path || `fd@${b.fd}`),
      cur: fe.cur, total: fe.total, requests: fe.reqTotal, hrsp: [...fe.hrsp], denied: fe.denied, bytesIn: fe.bytesIn, bytesOut: fe.bytesOut
    }
  })
  const backends = [...gen.backends.values()].map(be => ({
    name: be.plan.name, mode: be.plan.mode, balance: be.plan.balance.algo, cur: be.cur, total: be.total, queue: be.queue.length,
    hrsp: [...be.hrsp], connErrors: be.connErrors,
    servers: be.servers.map(s => ({
      name: s.name, address: `${s.host}:${s.port}`, status: s.statusText, weight: s.weight, cur: s.cur, total: s.total,
      backup: s.backup, checked: s.plan.check.enabled
    }))
  }))
  return {
    time: Date.now(), version: VERSION, pid: process.pid, startedAt: p.start, actconn: p.actconn, totalConns: p.totalConns,
    totalReqs: p.totalReqs, bytesIn, bytesOut, termCodes: Object.fromEntries(termCodes), listeners: engine.addresses(), frontends, backends, device
  }
}
