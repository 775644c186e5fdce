import type { StatsPagePlan } from '../config/plan.ts'
import { VERSION } from '../version.ts'
import { FIELD_INDEX } from './stat-fields.ts'
import type { StatsStatus } from './stats-admin.ts'

/** The HTML stats page: one table per proxy with its FRONTEND, server and
 *  BACKEND rows from the `show stat` CSV. With admin rights each proxy with
 *  servers is a form of HAProxy 2.6's shape (a checkbox per server, the action
 *  select, the backend as "#<iid>"), and a ";st=" outcome shows HAProxy's band. */

/** What the page's URI asked for (HAProxy's ";up", ";norefresh", "scope="). */
export interface PageView {
  readonly admin: boolean
  /** `stats show-legends` */
  readonly legends: boolean
  readonly hideDown: boolean
  readonly noRefresh: boolean
  /** "scope=" text, "" = every proxy */
  readonly scope: string
  /** `stats show-node` / `show-desc`: the node name and description shown, null = not shown */
  readonly node: string | null
  readonly desc: string | null
  /** outcome of a previous admin POST (";st=XXXX"), null = none */
  readonly status: StatsStatus | null
}

/** Columns of the HTML tables: [CSV column, heading]. */
const HTML_COLUMNS: readonly (readonly [string, string])[] = [
  ['svname', 'Name'], ['qcur', 'Queue cur'], ['qmax', 'Queue max'], ['scur', 'Sessions cur'], ['smax', 'Sessions max'],
  ['slim', 'Sessions limit'], ['stot', 'Sessions total'], ['bin', 'Bytes in'], ['bout', 'Bytes out'],
  ['dreq', 'Denied req'], ['dresp', 'Denied resp'], ['ereq', 'Errors req'], ['econ', 'Errors conn'],
  ['eresp', 'Errors resp'], ['wretr', 'Retries'], ['wredis', 'Redispatches'], ['status', 'Status'],
  ['lastchg', 'LastChk (s)'], ['weight', 'Weight'], ['act', 'Act'], ['bck', 'Bck'], ['addr', 'Address']
]
const COLS = HTML_COLUMNS.map(([name, title]) => ({ i: FIELD_INDEX.get(name) as number, title }))
const col = (name: string): number => FIELD_INDEX.get(name) as number
const STATUS_COL = col('status')
const IID_COL = col('iid')

/** HAProxy's band for each outcome: [div class, message]. */
const STATUS_BANDS: Readonly<Record<StatsStatus, readonly [string, string]>> = {
  DONE: ['active_up', 'Action processed successfully.'],
  NONE: ['active_going_down', 'Nothing has changed.'],
  PART: ['active_going_down', 'Action partially processed.<br>Some server names are probably unknown or ambiguous (duplicated names in the backend).'],
  ERRP: ['active_down', 'Action not processed because of invalid parameters.<ul><li>The action is maybe unknown.</li>' +
    '<li>Invalid key parameter (empty or too long).</li><li>The backend name is probably unknown or ambiguous (duplicated names).</li>' +
    '<li>Some server names are probably unknown or ambiguous (duplicated names in the backend).</li></ul>'],
  EXCD: ['active_down', "<b>Action not processed : the buffer couldn't store all the data.<br>You should retry with less servers at a time.</b>"],
  DENY: ['active_down', '<b>Action denied.</b>'],
  IVAL: ['active_down', '<b>Invalid requests (unsupported method or chunked encoded request).</b>'],
  UNKN: ['active_no_check', 'Unexpected result.']
}

/** The admin form's action list, as HAProxy 2.6 prints it. */
const ACTION_SELECT = 'Choose the action to perform on the checked servers : <select name=action><option value=""></option>' +
  '<option value="ready">Set state to READY</option><option value="drain">Set state to DRAIN</option>' +
  '<option value="maint">Set state to MAINT</option><option value="dhlth">Health: disable checks</option>' +
  '<option value="ehlth">Health: enable checks</option><option value="hrunn">Health: force UP</option>' +
  '<option value="hnolb">Health: force NOLB</option><option value="hdown">Health: force DOWN</option>' +
  '<option value="dagent">Agent: disable checks</option><option value="eagent">Agent: enable checks</option>' +
  '<option value="arunn">Agent: force UP</option><option value="adown">Agent: force DOWN</option>' +
  '<option value="shutdown">Kill Sessions</option></select>'

export function escapeHtml (s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;')
}

/** The page's own address with the view flags kept (HAProxy's "[X]" link and redirect). */
export function viewSuffix (v: PageView): string {
  return (v.hideDown ? ';up' : '') + (v.noRefresh ? ';norefresh' : '') + (v.scope !== '' ? '?scope=' + v.scope : '')
}

function statusBand (page: StatsPagePlan, v: PageView, st: StatsStatus): string {
  const [cls, text] = STATUS_BANDS[st]
  return `<p><div class=${cls}><a class=lfsb href="${escapeHtml(page.uri + viewSuffix(v))}" title="Remove this message">[X]</a> ${text}</div>\n<p>\n`
}

/** `stats show-legends` details, worded as HAProxy's tips: the proxy's
 *  capabilities, mode and id; a server's address and id; a backend's algorithm. */
function proxyLegend (rows: readonly string[][]): string {
  const fe = rows.some(r => r[1] === 'FRONTEND')
  const be = rows.some(r => r[1] === 'BACKEND')
  const cap = fe && be ? 'proxy' : fe ? 'frontend' : 'backend'
  return `<div class=tips>cap: ${cap}, mode: ${escapeHtml(rows[0][col('mode')] ?? '')}, id: ${rows[0][IID_COL]}</div>`
}

function rowLegend (r: readonly string[]): string {
  if (r[1] === 'FRONTEND') return ''
  if (r[1] === 'BACKEND') return `<div class=tips>balancing: ${escapeHtml(r[col('algo')] ?? '')}</div>`
  const addr = r[col('addr')] ?? ''
  const family = addr.startsWith('[') ? 'IPv6' : addr.startsWith('unix@') ? 'unix' : 'IPv4'
  return `<div class=tips>${family}: ${escapeHtml(addr)}, id: ${r[col('sid')]}</div>`
}

function proxyTable (name: string, rows: readonly string[][], v: PageView): string {
  const servers = rows.filter(r => r[1] !== 'FRONTEND' && r[1] !== 'BACKEND')
  const form = v.admin && servers.length > 0 && rows.some(r => r[1] === 'BACKEND')
  const px = escapeHtml(name)
  let out = form ? '<form method="post">' : ''
  out += `<table id="${px}"><caption><b>${px}</b>${v.legends ? proxyLegend(rows) : ''}</caption>\n<tr>`
  if (v.admin) {
    out += form
      ? `<th><input type="checkbox" onclick="for(c in document.getElementsByClassName('${px}-checkbox')) ` +
        `document.getElementsByClassName('${px}-checkbox').item(c).checked = this.checked"></th>`
      : '<th></th>'
  }
  out += COLS.map(c => `<th>${c.title}</th>`).join('') + '</tr>\n'
  for (const r of rows) {
    const status = r[STATUS_COL]
    const kind = r[1] === 'FRONTEND' ? 'frontend' : r[1] === 'BACKEND' ? 'backend' : 'server'
    if (kind === 'server' && v.hideDown && (status === 'DOWN' || status === 'MAINT')) continue
    const state = status === 'DOWN' ? ' down' : status === 'MAINT' ? ' maint' : ''
    out += `<tr class="${kind}${state}">`
    if (v.admin) out += kind === 'server' && form ? `<td><input class='${px}-checkbox' type="checkbox" name="s" value="${escapeHtml(r[1])}"></td>` : '<td></td>'
    out += COLS.map((c, i) => `<td>${escapeHtml(r[c.i] ?? '')}${i === 0 && v.legends ? rowLegend(r) : ''}</td>`).join('') + '</tr>\n'
  }
  out += '</table>'
  if (form) out += `${ACTION_SELECT}<input type="hidden" name="b" value="#${rows[0][IID_COL]}">&nbsp;<input type="submit" value="Apply"></form>`
  return out + '\n'
}

/** The whole HTML page for <csv> (the `show stat` answer); <after> (HTML) follows the proxies' tables. */
export function htmlPage (csv: string, page: StatsPagePlan, v: PageView, after = ''): string {
  const rows = csv.split('\n').slice(1).filter(l => l !== '').map(l => l.split(','))
  const byProxy = new Map<string, string[][]>()
  const scope = v.scope.toLowerCase()
  for (const r of rows) {
    if (scope !== '' && !r[0].toLowerCase().includes(scope)) continue
    const list = byProxy.get(r[0])
    if (list === undefined) byProxy.set(r[0], [r])
    else list.push(r)
  }
  const node = v.node === null ? '' : ' on ' + escapeHtml(v.node)
  let out = `<!DOCTYPE html>\n<html><head><meta charset="utf-8"><title>Statistics Report for pocketlb${node}</title>\n` +
    '<style>body{font-family:sans-serif;font-size:12px}table{border-collapse:collapse;margin-bottom:1em}' +
    'th,td{border:1px solid #999;padding:2px 5px}th{background:#ddd}tr.frontend{background:#eef}' +
    'tr.backend{background:#ddf}tr.down td{background:#fbb}tr.maint td{background:#ccc}' +
    '.active_up{background:#c0ffc0}.active_going_down{background:#ffffa0}.active_down{background:#ff9090}' +
    '.active_no_check{background:#e0e0e0}</style></head><body>\n'
  out += `<h1>pocketlb${page.hideVersion ? '' : ' version ' + VERSION}</h1>\n` +
    `<h2>Statistics Report for pid ${process.pid}${node}${v.desc === null ? '' : ': ' + escapeHtml(v.desc)}</h2>\n`
  const refreshing = page.refresh > 0 && !v.noRefresh
  out += `<p>Generated ${new Date().toUTCString()}${refreshing ? `, refresh every ${page.refresh / 1000}s` : ''}` +
    ` &mdash; <a href="${escapeHtml(page.uri)};csv">CSV export</a></p>\n` +
    `<form method="GET">Scope : <input value="${escapeHtml(v.scope)}" name="scope" size="8" maxlength="20" tabindex="1"/></form>\n`
  if (v.status !== null) out += statusBand(page, v, v.status)
  for (const [name, list] of byProxy) out += proxyTable(name, list, v)
  return out + after + '</body></html>\n'
}
