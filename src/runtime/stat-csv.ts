import type { Generation } from '../proxy/engine.ts'
import type { FrontendRuntime } from '../proxy/frontend-runtime.ts'
import type { BackendRuntime } from '../proxy/backend-runtime.ts'
import type { ServerRuntime } from '../proxy/server-runtime.ts'
import {
  STAT_FIELDS, STAT_HEADER, FIELD_INDEX, FRONTEND_COLUMNS, SERVER_COLUMNS, BACKEND_COLUMNS, type FilledColumns
} from './stat-fields.ts'
import { checkColumns } from './stat-check-columns.ts'
import { proxiesOf } from './proxies.ts'

/** Row kinds of `show stat <iid> <type> <sid>` (type is a bit mask). */
export const StatType = { Frontend: 1, Backend: 2, Server: 4 } as const

/** Filters of `show stat [<iid> <type> <sid>] [up|no-maint]`; -1 = any. */
export interface StatFilter {
  readonly iid: number
  readonly types: number
  readonly sid: number
  /** `up`: only servers that are UP; `no-maint`: skip servers in maintenance */
  readonly onlyUp: boolean
  readonly noMaint: boolean
}

export const ALL_STATS: StatFilter = { iid: -1, types: -1, sid: -1, onlyUp: false, noMaint: false }

/** One stats row: <v> holds each column's text, null where HAProxy leaves the
 *  column out (empty in CSV, absent in typed/json output). */
export interface StatRow {
  readonly kind: 'F' | 'B' | 'S'
  readonly iid: number
  /** server id, 0 for FRONTEND/BACKEND rows */
  readonly sid: number
  readonly v: readonly (string | null)[]
}

/** One row under construction: absent columns, the kind's filled ones at 0. */
class Row {
  readonly v: (string | null)[] = new Array<string | null>(STAT_FIELDS.length).fill(null)

  constructor (columns: FilledColumns, http: boolean) {
    for (const c of http ? columns.http : columns.tcp) this.v[FIELD_INDEX.get(c) as number] = '0'
    this.v[FIELD_INDEX.get('-') as number] = '-'
  }

  fill (names: readonly string[]): void { for (const n of names) this.v[FIELD_INDEX.get(n) as number] = '0' }

  /** Sets <name> (only when HAProxy fills it for this kind, unless <force>). */
  set (name: string, value: string | number, force = false): void {
    const i = FIELD_INDEX.get(name) as number
    if (force || this.v[i] !== null) this.v[i] = String(value)
  }

  hrsp (counts: readonly number[]): void {
    this.set('hrsp_1xx', counts[0]); this.set('hrsp_2xx', counts[1]); this.set('hrsp_3xx', counts[2])
    this.set('hrsp_4xx', counts[3]); this.set('hrsp_5xx', counts[4]); this.set('hrsp_other', counts[5])
  }

  done (kind: StatRow['kind'], iid: number, sid: number): StatRow { return { kind, iid, sid, v: this.v } }
}

/** CSV line of <row> (HAProxy ends every column, the last one too, with a comma). */
export function csvLine (row: StatRow): string {
  let out = ''
  for (const x of row.v) out += (x ?? '') + ','
  return out
}

const secondsSince = (t: number): number => Math.max(0, Math.floor((Date.now() - t) / 1000))

function frontendRow (name: string, iid: number, fe: FrontendRuntime): StatRow {
  const p = fe.plan
  const r = new Row(FRONTEND_COLUMNS, p.mode === 'http')
  r.set('pxname', name); r.set('svname', 'FRONTEND')
  r.set('scur', fe.cur); r.set('smax', fe.maxCur); r.set('slim', p.maxconn > 0 ? p.maxconn : fe.global.maxconn)
  r.set('stot', fe.total); r.set('bin', fe.bytesIn); r.set('bout', fe.bytesOut)
  r.set('dreq', fe.denied); r.set('ereq', fe.errors); r.set('status', p.disabled ? 'STOP' : 'OPEN')
  r.set('pid', 1); r.set('iid', iid); r.set('type', 0)
  r.hrsp(fe.hrsp); r.set('req_tot', fe.reqTotal); r.set('mode', p.mode); r.set('conn_tot', fe.total)
  return r.done('F', iid, 0)
}

/** HAProxy 2.6's status text of a server row (stats.c srv_hlt_st): MAINT; an
 *  up server is UP, DRAIN or NOLB, "no check" when nothing checks it, and
 *  "UP 1/3" (failures out of fall) while checks are taking it down; a stopped
 *  one is DOWN, "DOWN 1/2" (successes out of rise) on its way up, or
 *  "DOWN (agent)" when its agent put it down. */
export function serverStatus (s: ServerRuntime): string {
  if (s.admin === 'maint') return 'MAINT'
  const view = s.checkView?.() ?? null
  const checking = view !== null && view.enabled && !view.paused
  const agentOn = s.checkControl?.agentEnabled() === true
  const health = view?.health ?? 0
  const rise = view?.rise ?? 0
  const fall = view?.fall ?? 0
  const goingDown = checking && health < rise + fall - 1 ? ` ${health - rise + 1}/${fall}` : ''
  if (s.checkUp && s.nolb) return 'NOLB' + goingDown
  if (s.checkUp) {
    if (s.admin === 'drain') return agentOn ? 'DRAIN (agent)' : 'DRAIN' + goingDown
    return checking ? 'UP' + goingDown : 'no check'
  }
  if (agentOn && view?.agent?.up === false) return 'DOWN (agent)'
  if (checking && health > 0) return `DOWN ${health}/${rise}`
  return 'DOWN'
}

function serverAddr (s: ServerRuntime): string {
  if (s.plan.unixPath !== '') return 'unix@' + s.plan.unixPath
  return `${s.host.includes(':') ? `[${s.host}]` : s.host}:${s.port}`
}

function serverRow (name: string, iid: number, be: BackendRuntime, s: ServerRuntime, now: number): StatRow {
  const r = new Row(SERVER_COLUMNS, be.plan.mode === 'http')
  r.set('pxname', name); r.set('svname', s.name)
  r.set('qcur', s.queue.length); r.set('scur', s.cur); r.set('smax', s.maxCur)
  if (s.maxconn > 0) r.set('slim', s.maxconn, true)
  if (s.plan.maxqueue > 0) r.set('qlimit', s.plan.maxqueue, true)
  r.set('stot', s.total); r.set('bin', s.bytesIn); r.set('bout', s.bytesOut)
  r.set('econ', s.connErrors); r.set('eresp', s.respErrors); r.set('wretr', s.retries); r.set('wredis', s.redispatches)
  // HAProxy shows the user weight here, even while draining (the BACKEND row's sum excludes it)
  r.set('status', serverStatus(s)); r.set('weight', s.userWeight)
  r.set('act', s.backup ? 0 : 1); r.set('bck', s.backup ? 1 : 0)
  r.set('lastchg', secondsSince(s.lastChange))
  r.set('pid', 1); r.set('iid', iid); r.set('sid', s.id); r.set('lbtot', s.total); r.set('type', 2)
  r.hrsp(s.hrsp); r.set('req_tot', s.total); r.set('lastsess', -1)
  const view = s.checkView?.() ?? null
  if (view !== null) checkColumns((n, x) => r.set(n, x, true), view, s.downTransitions, s.downtimeSec(now))
  r.set('addr', serverAddr(s)); r.set('mode', be.plan.mode); r.set('uweight', s.userWeight)
  return r.done('S', iid, s.id)
}

/** Effective weight of a backend as HAProxy counts it: active servers in
 *  service, else its backup servers (all of them with `option allbackups`). */
function backendWeight (be: BackendRuntime): number {
  let active = 0
  let backup = 0
  for (const s of be.servers) {
    if (!s.usable) continue
    if (!s.backup) active += s.weight
    else if (be.plan.allbackups || backup === 0) backup += s.weight
  }
  return be.activeUsable > 0 ? active : backup
}

function backendRow (name: string, iid: number, be: BackendRuntime, slim: number): StatRow {
  const p = be.plan
  const r = new Row(BACKEND_COLUMNS, p.mode === 'http')
  let lbtot = 0
  for (const s of be.servers) lbtot += s.total
  const weight = backendWeight(be)
  r.set('pxname', name); r.set('svname', 'BACKEND')
  r.set('qcur', be.queue.length); r.set('scur', be.cur); r.set('smax', be.maxCur); r.set('slim', slim)
  r.set('stot', be.total); r.set('bin', be.bytesIn); r.set('bout', be.bytesOut); r.set('dreq', be.denied)
  r.set('econ', be.connErrors); r.set('eresp', be.respErrors)
  r.set('status', be.usableCount > 0 ? 'UP' : 'DOWN'); r.set('weight', weight)
  // HAProxy counts the servers that can take traffic: usable with a non-zero weight (not draining)
  let act = 0
  let bck = 0
  for (const s of be.servers) if (s.usable && s.weight > 0) { if (s.backup) bck++; else act++ }
  r.set('act', act); r.set('bck', bck); r.set('lastchg', secondsSince(be.lastChange))
  r.set('pid', 1); r.set('iid', iid); r.set('lbtot', lbtot); r.set('type', 1)
  r.hrsp(be.hrsp); r.set('req_tot', be.total); r.set('lastsess', -1)
  r.set('mode', p.mode); r.set('algo', p.balance.algo); r.set('uweight', weight)
  return r.done('B', iid, 0)
}

/** Backend session limit as HAProxy shows it: `fullconn`, else 10% of the
 *  maxconn of the frontends that can reach it (rounded up). */
function backendLimit (gen: Generation, be: BackendRuntime): number {
  if (be.plan.fullconn > 0) return be.plan.fullconn
  let sum = 0
  for (const fe of gen.frontends) {
    const p = fe.plan
    const reaches = p.defaultBackend === be.plan.name || p.switchRules.some(r => r.backend === be.plan.name || r.dynamic !== null)
    if (reaches) sum += p.maxconn > 0 ? p.maxconn : fe.global.maxconn
  }
  return Math.ceil(sum / 10)
}

/** The rows of `show stat` for <gen>: per proxy FRONTEND, servers, BACKEND. */
export function statRows (gen: Generation, f: StatFilter = ALL_STATS): StatRow[] {
  const out: StatRow[] = []
  const now = Date.now()
  for (const px of proxiesOf(gen)) {
    if (f.iid !== -1 && px.iid !== f.iid) continue
    if (px.fe !== null && (f.types & StatType.Frontend) !== 0 && (f.sid === -1 || f.sid === 0)) out.push(frontendRow(px.name, px.iid, px.fe))
    if (px.be === null) continue
    if ((f.types & StatType.Server) !== 0) {
      for (const s of px.be.servers) {
        if (f.sid !== -1 && s.id !== f.sid) continue
        if (f.noMaint && s.admin === 'maint') continue
        if (f.onlyUp && !s.usable) continue
        out.push(serverRow(px.name, px.iid, px.be, s, now))
      }
    }
    if ((f.types & StatType.Backend) !== 0 && (f.sid === -1 || f.sid === 0)) out.push(backendRow(px.name, px.iid, px.be, backendLimit(gen, px.be)))
  }
  return out
}

/** `show stat` CSV of <gen>: the header line, then one line per row, each ending in "\n". */
export function statCsv (gen: Generation, f: StatFilter = ALL_STATS): string {
  let out = STAT_HEADER + '\n'
  for (const row of statRows(gen, f)) out += csvLine(row) + '\n'
  return out
}
