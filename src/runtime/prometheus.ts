import type { Engine } from '../proxy/engine.ts'
import { VERSION } from '../version.ts'
import { statRows, type StatRow } from './stat-csv.ts'
import { FIELD_INDEX } from './stat-fields.ts'
import { showInfo } from './show-info.ts'
import { PROCESS_METRICS, FRONTEND_METRICS, BACKEND_METRICS, SERVER_METRICS, type MetricDef } from './prometheus-metrics.ts'

/** HAProxy's Prometheus exporter (`http-request use-service prometheus-exporter`),
 *  text format 0.0.4. Everything is read when the page is asked for: the
 *  process from `show info`, proxies and servers from the `show stat` rows,
 *  so the exporter and the stats always agree and nothing runs per request. */

const SERVER_STATES = ['DOWN', 'UP', 'MAINT', 'DRAIN', 'NOLB'] as const
const PROXY_STATES = ['DOWN', 'UP'] as const
const CHECK_STATES = ['HANA', 'SOCKERR', 'L4OK', 'L4TOUT', 'L4CON', 'L6OK', 'L6TOUT', 'L6RSP', 'L7TOUT', 'L7RSP',
  'L7OK', 'L7OKC', 'L7STS', 'PROCERR', 'PROCTOUT', 'PROCOK'] as const
const HRSP = [['1xx', 'hrsp_1xx'], ['2xx', 'hrsp_2xx'], ['3xx', 'hrsp_3xx'], ['4xx', 'hrsp_4xx'], ['5xx', 'hrsp_5xx'],
  ['other', 'hrsp_other']] as const
/** columns kept in milliseconds, shown in seconds with 6 decimals */
const MS_COLUMNS = new Set(['qtime', 'ctime', 'rtime', 'ttime', 'qtime_max', 'ctime_max', 'rtime_max', 'ttime_max', 'check_duration'])
/** metrics HAProxy shows only for HTTP proxies */
const HTTP_ONLY = new Set(['hrsp', 'req_rate_max', 'req_tot', 'intercepted', 'cache_lookups', 'cache_hits',
  'comp_in', 'comp_out', 'comp_byp', 'comp_rsp'])

const escapeLabel = (v: string): string => v.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n')

/** One object's samples source: its labels and its stats row. */
interface Subject { readonly labels: string; readonly row: StatRow; readonly http: boolean }

const column = (row: StatRow, name: string): string | null => row.v[FIELD_INDEX.get(name) as number] ?? null

function numberText (source: string, raw: string | null): string {
  if (raw === null || raw === '') return 'NaN'
  return MS_COLUMNS.has(source) ? (Number(raw) / 1000).toFixed(6) : raw
}

/** The sample lines of metric <m> for <s> (none when HAProxy shows none). */
function samples (full: string, m: MetricDef, s: Subject, kind: 'frontend' | 'backend' | 'server'): string {
  if (!s.http && HTTP_ONLY.has(m.source)) return ''
  const row = s.row
  const line = (extra: string, value: string | number): string =>
    `${full}{${s.labels}${extra}} ${value}\n`
  if (m.source === 'hrsp') return HRSP.map(([code, col]) => line(`,code="${code}"`, numberText(col, column(row, col)))).join('')
  if (m.source === 'status') {
    const text = (column(row, 'status') ?? '').split(' ')[0]
    const state = kind !== 'server' ? (text === 'UP' || text === 'OPEN' ? 'UP' : 'DOWN') : text === 'no' ? 'UP' : text
    return (kind === 'server' ? SERVER_STATES : PROXY_STATES).map(st => line(`,state="${st}"`, st === state ? 1 : 0)).join('')
  }
  const status = column(row, 'check_status')
  if (m.source === 'check_status') {
    if (status === null) return ''
    const st = status.replace(/^\* /, '')
    return CHECK_STATES.map(c => line(`,state="${c}"`, c === st ? 1 : 0)).join('')
  }
  if (m.source === 'check_code' || m.source === 'check_duration') {
    return status === null ? '' : line('', numberText(m.source, column(row, m.source) || '0'))
  }
  return line('', numberText(m.source, column(row, m.source)))
}

function block (full: string, m: MetricDef, body: string): string {
  return `# HELP ${full} ${m.help}\n# TYPE ${full} ${m.type}\n${body}`
}

/** The whole exporter page for <engine>'s current generation. */
export function prometheusText (engine: Engine): string {
  const info = new Map<string, string>()
  for (const l of showInfo(engine).split('\n')) {
    const i = l.indexOf(': ')
    if (i > 0) info.set(l.slice(0, i), l.slice(i + 2))
  }
  let out = ''
  for (const m of PROCESS_METRICS) {
    const full = 'haproxy_process_' + m.name
    out += block(full, m, `${full} ${info.get(m.source) ?? 'NaN'}\n`)
  }
  out += block('haproxy_process_build_info', { name: 'build_info', source: '', help: 'Build info', type: 'gauge' },
    `haproxy_process_build_info{version="${escapeLabel(VERSION)}"} 1\n`)
  const gen = engine.current
  const rows = statRows(gen)
  const modeOf = (row: StatRow): boolean => column(row, 'mode') === 'http'
  const proxyLabel = (row: StatRow): string => `proxy="${escapeLabel(column(row, 'pxname') ?? '')}"`
  const scopes = [
    ['frontend', FRONTEND_METRICS, 'F'], ['backend', BACKEND_METRICS, 'B'], ['server', SERVER_METRICS, 'S']
  ] as const
  for (const [kind, metrics, rowKind] of scopes) {
    const subjects: Subject[] = rows.filter(r => r.kind === rowKind).map(row => ({
      row,
      http: modeOf(row),
      labels: kind === 'server' ? `${proxyLabel(row)},server="${escapeLabel(column(row, 'svname') ?? '')}"` : proxyLabel(row)
    }))
    for (const m of metrics) {
      const full = `haproxy_${kind}_${m.name}`
      out += block(full, m, subjects.map(s => samples(full, m, s, kind)).join(''))
    }
  }
  return out
}

/** The full HTTP response of the exporter (HEAD: the head only). */
export function prometheusResponse (engine: Engine, head: boolean): Buffer {
  const body = Buffer.from(prometheusText(engine), 'utf8')
  const h = Buffer.from('HTTP/1.1 200 OK\r\ncache-control: no-cache\r\ncontent-type: text/plain; version=0.0.4\r\n' +
    `content-length: ${body.length}\r\n\r\n`, 'latin1')
  return head ? h : Buffer.concat([h, body])
}
