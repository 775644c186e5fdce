import type { Generation } from '../proxy/engine.ts'
import type { LocalPageRequest } from '../proxy/frontend-runtime.ts'
import { hostname } from 'node:os'
import type { GlobalPlan, StatsPagePlan } from '../config/plan.ts'
import { statCsv } from './stat-csv.ts'
import { applyAdminPost, type StatsStatus } from './stats-admin.ts'
import { htmlPage, viewSuffix, type PageView } from './stats-html.ts'
import { l4StatusOf } from './l4-commands.ts'
import { l4StatsSection } from './stats-l4.ts'

/** HAProxy's answer when `stats auth` is set and the credentials are missing or wrong. */
const UNAUTHORIZED_BODY = '<html><body><h1>401 Unauthorized</h1>\nYou need a valid user and password to access this content.\n</body></html>\n'

const STATUS_WORDS: ReadonlySet<string> = new Set<StatsStatus>(['DENY', 'DONE', 'ERRP', 'EXCD', 'NONE', 'PART', 'UNKN', 'IVAL'])

/** Longest "scope=" text HAProxy keeps (STAT_SCOPE_TXT_MAXLEN). */
const SCOPE_MAX = 20

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

/** The view flags of <options> (the URI after the page's own), as HAProxy
 *  finds them anywhere in it; ";norefresh" only counts with `stats refresh`. */
function pageView (page: StatsPagePlan, global: GlobalPlan, options: string, admin: boolean): PageView {
  const st = /;st=(.{4})/.exec(options)
  const scope = /scope=([^;& ]*)/.exec(options)?.[1].slice(0, SCOPE_MAX) ?? ''
  return {
    admin,
    legends: page.showLegends === true,
    node: page.showNode === undefined ? null : page.showNode || global.node || hostname(),
    // an empty description shows nothing, as HAProxy
    desc: page.showDesc === undefined ? null : page.showDesc || global.description || null,
    hideDown: options.includes(';up'),
    noRefresh: page.refresh > 0 && options.includes(';norefresh'),
    scope: /^[A-Za-z0-9._:-]*$/.test(scope) ? scope : '',
    status: st === null ? null : STATUS_WORDS.has(st[1]) ? st[1] as StatsStatus : 'UNKN'
  }
}

/** The `show stat` CSV <csv> with only the rows of the proxies in <scope> (all when absent). */
function inScope (csv: string, scope: readonly string[] | undefined): string {
  if (scope === undefined) return csv
  return csv.split('\n').filter((l, i) => i === 0 || l === '' || scope.includes(l.slice(0, l.indexOf(',')))).join('\n')
}

/** The data of a complete chunked body <b> (its framing was checked on the way in). */
function dechunk (b: Buffer): Buffer {
  const parts: Buffer[] = []
  let at = 0
  for (;;) {
    const eol = b.indexOf('\r\n', at)
    if (eol < 0) break
    const size = Number.parseInt(b.toString('latin1', at, eol).split(';')[0], 16)
    if (!(size > 0)) break
    parts.push(b.subarray(eol + 2, eol + 2 + size))
    at = eol + 2 + size + 2
  }
  return Buffer.concat(parts)
}

/** HAProxy's answer to an admin POST: back to the page with a GET, so that a
 *  refresh does not post again. */
function redirect (page: StatsPagePlan, v: PageView, st: StatsStatus): Buffer {
  return Buffer.from('HTTP/1.1 303 See Other\r\ncache-control: no-cache\r\ncontent-type: text/plain\r\ncontent-length: 0\r\n' +
    `location: ${page.uri};st=${st}${viewSuffix(v)}\r\n\r\n`, 'latin1')
}

/** Answers a request under the stats page <page> of a proxy: the raw HTTP
 *  response, 'wait' while an admin POST's body is still arriving, or null when
 *  the request is not for the page (another URI, or a method other than GET,
 *  HEAD and POST: the request then goes on as usual, as in HAProxy).
 *  "<uri>;csv" answers the `show stat` CSV; with `stats auth`, missing or wrong
 *  credentials get 401 and the realm. A POST applies the admin actions when
 *  `stats admin` granted them (DENY otherwise); a body larger than a buffer is EXCD. */
export function statsPageResponse (gen: Generation, page: StatsPagePlan, req: LocalPageRequest): Buffer | 'wait' | null {
  const { method, uri } = req
  if (!uri.startsWith(page.uri) || (method !== 'GET' && method !== 'HEAD' && method !== 'POST')) return null
  const head = method === 'HEAD'
  if (!authorized(page, req.authorization)) {
    return response('401 Unauthorized', ['cache-control: no-cache', 'content-type: text/html',
      `www-authenticate: Basic realm="${page.realm}"`], UNAUTHORIZED_BODY, head)
  }
  const options = uri.slice(page.uri.length)
  const v = pageView(page, gen.plan.global, options, req.admin)
  if (method === 'POST') {
    if (!req.admin) return redirect(page, v, 'DENY')
    // HAProxy needs the whole body in one buffer
    if (req.bodyBytes >= gen.plan.global.tune.bufsize - gen.plan.global.tune.maxrewrite) return redirect(page, v, 'EXCD')
    if (!req.bodyComplete) return 'wait'
    const body = Buffer.concat(req.body)
    return redirect(page, v, applyAdminPost(gen, (req.chunked === true ? dechunk(body) : body).toString('latin1')))
  }
  const csv = inScope(statCsv(gen), page.scope)
  const csvAsked = options.includes(';csv')
  const headers = ['cache-control: no-cache', csvAsked ? 'content-type: text/plain' : 'content-type: text/html']
  if (page.refresh > 0 && !v.noRefresh) headers.push(`refresh: ${Math.ceil(page.refresh / 1000)}`)
  return response('200 OK', headers, csvAsked ? csv : htmlPage(csv, page, v, l4StatsSection(l4StatusOf(gen.process))), head)
}
