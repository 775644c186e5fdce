import type { Generation } from '../proxy/engine.ts'
import type { StatsPagePlan } from '../config/plan.ts'
import { VERSION } from '../version.ts'
import { statCsv } from './stat-csv.ts'
import { FIELD_INDEX } from './stat-fields.ts'

/** HAProxy's answer when `stats auth` is set and the credentials are missing or wrong. */
const UNAUTHORIZED_BODY = '<html><body><h1>401 Unauthorized</h1>\nYou need a valid user and password to access this content.\n</body></html>\n'

/** Columns of the HTML tables: [CSV column, heading]. */
const HTML_COLUMNS: readonly (readonly [string, string])[] = [
  ['svname', 'Name'], ['qcur', 'Queue cur'], ['qmax', 'Queue max'], ['scur', 'Sessions cur'], ['smax', 'Sessions max'],
  ['slim', 'Sessions limit'], ['stot', 'Sessions total'], ['bin', 'Bytes in'], ['bout', 'Bytes out'],
  ['dreq', 'Denied req'], ['dresp', 'Denied resp'], ['ereq', 'Errors req'], ['econ', 'Errors conn'],
  ['eresp', 'Errors resp'], ['wretr', 'Retries'], ['wredis', 'Redispatches'], ['status', 'Status'],
  ['lastchg', 'LastChk (s)'], ['weight', 'Weight'], ['act', 'Act'], ['bck', 'Bck'], ['addr', 'Address']
]

function escapeHtml (s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;')
}

function response (status: string, headers: readonly string[], body: string, head: boolean): Buffer {
  const b = Buffer.from(body, 'utf8')
  const lines = [`HTTP/1.1 ${status}`, ...headers, `content-length: ${b.length}`]
  const h = Buffer.from(lines.join('\r\n') + '\r\n\r\n', 'latin1')
  return head ? h : Buffer.concat([h, b])
}

function authorized (page: StatsPagePlan, authHeader: string | undefined): boolean {
  if (page.auth.length === 0) return true
  const m = /^Basic\s+(\S+)\s*$/i.exec(authHeader ?? '')
  if (m === null) return false
  const plain = Buffer.from(m[1], 'base64').toString('latin1')
  return page.auth.some(a => plain === `${a.user}:${a.password}`)
}

/** The HTML page: one table per proxy with its FRONTEND, server and BACKEND rows. */
function htmlPage (csv: string, page: StatsPagePlan): string {
  const rows = csv.split('\n').slice(1).filter(l => l !== '').map(l => l.split(','))
  const byProxy = new Map<string, string[][]>()
  for (const r of rows) {
    const list = byProxy.get(r[0])
    if (list === undefined) byProxy.set(r[0], [r])
    else list.push(r)
  }
  const cols = HTML_COLUMNS.map(([name, title]) => ({ i: FIELD_INDEX.get(name) as number, title }))
  let out = '<!DOCTYPE html>\n<html><head><meta charset="utf-8"><title>Statistics Report</title>\n' +
    '<style>body{font-family:sans-serif;font-size:12px}table{border-collapse:collapse;margin-bottom:1em}' +
    'th,td{border:1px solid #999;padding:2px 5px}th{background:#ddd}tr.frontend{background:#eef}' +
    'tr.backend{background:#ddf}tr.down td{background:#fbb}tr.maint td{background:#ccc}</style></head><body>\n'
  out += `<h1>Statistics Report${page.hideVersion ? '' : ' for pocketlb ' + VERSION}</h1>\n`
  out += `<p>Generated ${new Date().toUTCString()}${page.refresh > 0 ? `, refresh every ${page.refresh / 1000}s` : ''}` +
    ` &mdash; <a href="${escapeHtml(page.uri)};csv">CSV export</a></p>\n`
  for (const [name, list] of byProxy) {
    out += `<table id="${escapeHtml(name)}"><caption><b>${escapeHtml(name)}</b></caption>\n<tr>` +
      cols.map(c => `<th>${c.title}</th>`).join('') + '</tr>\n'
    for (const r of list) {
      const status = r[FIELD_INDEX.get('status') as number]
      const kind = r[1] === 'FRONTEND' ? 'frontend' : r[1] === 'BACKEND' ? 'backend' : 'server'
      const state = status === 'DOWN' ? ' down' : status === 'MAINT' ? ' maint' : ''
      out += `<tr class="${kind}${state}">` + cols.map(c => `<td>${escapeHtml(r[c.i] ?? '')}</td>`).join('') + '</tr>\n'
    }
    out += '</table>\n'
  }
  return out + '</body></html>\n'
}

/** Full raw HTTP response for a request to the stats page <page> of a proxy,
 *  or null when <uri> is not under the page's URI (the request then goes on
 *  as usual). "<uri>;csv" answers the `show stat` CSV; with `stats auth`,
 *  missing or wrong credentials get 401 and the realm. Only GET and HEAD are
 *  served (admin actions by POST are not supported: 405). */
export function statsPageResponse (gen: Generation, page: StatsPagePlan, method: string, uri: string,
  authHeader: string | undefined): Buffer | null {
  if (!uri.startsWith(page.uri)) return null
  const head = method === 'HEAD'
  if (!authorized(page, authHeader)) {
    return response('401 Unauthorized', ['cache-control: no-cache', 'content-type: text/html',
      `www-authenticate: Basic realm="${page.realm}"`], UNAUTHORIZED_BODY, head)
  }
  if (method !== 'GET' && !head) {
    return response('405 Method Not Allowed', ['cache-control: no-cache', 'content-type: text/plain', 'allow: GET, HEAD'],
      'Method Not Allowed\n', head)
  }
  const options = uri.slice(page.uri.length).split(';')
  const csv = statCsv(gen)
  if (options.includes('csv')) return response('200 OK', ['cache-control: no-cache', 'content-type: text/plain'], csv, head)
  const headers = ['cache-control: no-cache', 'content-type: text/html']
  if (page.refresh > 0 && !options.includes('norefresh')) headers.push(`refresh: ${Math.ceil(page.refresh / 1000)}`)
  return response('200 OK', headers, htmlPage(csv, page), head)
}
