import { readFileSync } from 'node:fs'
import { resolve } from 'node:path'
import type { StatsPagePlan } from '../plan.ts'
import { Cap, type ProxyDraft } from '../draft.ts'
import { didYouMean } from '../suggest.ts'
import { parseBalance, parseCookie, parseHashType } from './balance.ts'
import { parseStick, parseStickTable } from './stick.ts'
import { parseBind } from './bind.ts'
import { parseHttpCheck, parseTcpCheck } from './checks.ts'
import { parseProxyLog } from './log.ts'
import { PROXY_OPTIONS } from './options.ts'
import { parseAcl, parseCapture, parseDeclare, parseHttpRequest, parseHttpResponse, parseMonitor, parsePersistRule, parseTcpRequest, parseTcpResponse, parseUseBackend, parseUseServer, statsAdminCondition } from './rules.ts'
import { parseDefaultServer, parseServer } from './server.ts'
import { alert, intArg, noExtra, timeArg, warn, type KwCtx, type ProxyKeyword } from './types.ts'

/** Keywords of defaults/frontend/backend/listen sections: explicit table
 *  name → (sections allowed, parser). */

const FE = Cap.Def | Cap.Fe
const BE = Cap.Def | Cap.Be
const ANY = Cap.Def | Cap.Fe | Cap.Be

type TimeoutKey = keyof ProxyDraft['timeouts']

/** timeout name → [field, sections allowed] */
const TIMEOUTS: Readonly<Record<string, readonly [TimeoutKey, number]>> = {
  client: ['client', FE],
  'client-fin': ['clientFin', FE],
  'http-request': ['httpRequest', ANY],
  'http-keep-alive': ['httpKeepAlive', ANY],
  server: ['server', BE],
  'server-fin': ['serverFin', BE],
  connect: ['connect', BE],
  queue: ['queue', BE],
  tunnel: ['tunnel', BE],
  check: ['check', BE],
  tarpit: ['tarpit', ANY]
}

function parseTimeout (p: ProxyDraft, c: KwCtx): void {
  const name = c.words[1] ?? ''
  const entry = TIMEOUTS[name]
  if (entry === undefined) {
    alert(c, `'timeout' supports 'client', 'server', 'connect', 'check', 'queue', 'http-keep-alive', 'http-request', 'tunnel', 'tarpit', 'client-fin' and 'server-fin' (got '${name}')${didYouMean(name, Object.keys(TIMEOUTS))}.`)
    return
  }
  if ((entry[1] & p.caps) === 0) { warn(c, `'timeout ${name}' ignored because ${p.kind} '${p.name}' has no ${entry[1] & Cap.Fe ? 'frontend' : 'backend'} capability.`); return }
  const t = timeArg(c, c.words[2], `timeout ${name}`)
  if (t !== null && noExtra(c, 2)) p.timeouts[entry[0]] = t
}

function parseMode (p: ProxyDraft, c: KwCtx): void {
  const m = c.words[1]
  if (m !== 'http' && m !== 'tcp') { alert(c, m === undefined ? "'mode' expects one argument." : `unknown proxy mode '${m}'.`); return }
  if (noExtra(c, 1)) p.mode = m
}

function parseOption (p: ProxyDraft, c: KwCtx, negate: boolean): void {
  const at = negate ? 2 : 1
  const name = c.words[at]
  if (name === undefined) { alert(c, "'option' expects an option name."); return }
  const opt = PROXY_OPTIONS[name]
  if (opt === undefined) { alert(c, `unknown option '${name}'${didYouMean(name, Object.keys(PROXY_OPTIONS))}.`); return }
  if (negate && !opt.negatable) { alert(c, `'no option ${name}' is not supported.`); return }
  if ((opt.caps & p.caps) === 0) {
    warn(c, `'${name}' ignored because ${p.kind} '${p.name}' has no ${opt.caps & Cap.Fe ? 'frontend' : 'backend'} capability.`)
    return
  }
  opt.apply(p, c, c.words.slice(at + 1), negate)
}

const ERRORFILE_CODES: ReadonlySet<number> = new Set([200, 400, 401, 403, 404, 405, 407, 408, 410, 413, 425, 429, 500, 501, 502, 503, 504])

function parseErrorfile (p: ProxyDraft, c: KwCtx): void {
  const [, codeText, file] = c.words
  if (codeText === undefined || file === undefined) { alert(c, "'errorfile' expects <status_code> and <file> as arguments."); return }
  const code = Number(codeText)
  if (!ERRORFILE_CODES.has(code)) { alert(c, `'errorfile' : status code ${codeText} not handled.`); return }
  const path = resolve(c.baseDir, file)
  let data: Buffer
  try { data = readFileSync(path) } catch (e) { alert(c, `'errorfile' : error opening file '${file}' (${(e as NodeJS.ErrnoException).code ?? 'error'}).`); return }
  if (!noExtra(c, 2)) return
  p.errorfiles.set(code, data)
  c.files.push(path)
}

function statsPage (p: ProxyDraft): StatsPagePlan {
  return p.statsPage ?? { uri: '/haproxy?stats', realm: 'HAProxy Statistics', auth: [], refresh: 0, hideVersion: false, admin: null }
}

/** stats enable | uri <u> | realm <r> | auth <user:pass> | refresh <t> | hide-version | admin if <cond> | show-* */
function parseProxyStats (p: ProxyDraft, c: KwCtx): void {
  const [, sub, arg] = c.words
  const s = statsPage(p)
  switch (sub) {
    case 'enable': p.statsPage = s; return
    case 'disable': p.statsPage = null; return
    case 'hide-version': p.statsPage = { ...s, hideVersion: true }; return
    case 'show-legends': p.statsPage = { ...s, showLegends: true }; return
    case 'show-node': p.statsPage = { ...s, showNode: arg ?? '' }; return
    case 'show-desc': p.statsPage = { ...s, showDesc: c.words.slice(2).join(' ') }; return
    case 'show-modules': p.statsPage = s; return
    case 'scope':
      if (arg === undefined) { alert(c, "'scope' needs a proxy name."); return }
      p.statsPage = { ...s, scope: [...(s.scope ?? []), arg === '.' ? p.name : arg] }
      return
    case 'uri': case 'realm': case 'auth': case 'refresh':
      if (arg === undefined) { alert(c, `'stats ${sub}' needs an argument.`); return }
      if (sub === 'uri') p.statsPage = { ...s, uri: arg }
      else if (sub === 'realm') p.statsPage = { ...s, realm: c.words.slice(2).join(' ') }
      else if (sub === 'auth') {
        const colon = arg.indexOf(':')
        if (colon < 1) { alert(c, "'stats auth' needs a user:password account."); return }
        p.statsPage = { ...s, auth: [...s.auth, { user: arg.slice(0, colon), password: arg.slice(colon + 1) }] }
      } else {
        const t = timeArg(c, arg, 'stats refresh')
        if (t !== null) p.statsPage = { ...s, refresh: t }
      }
      return
    case 'admin': {
      if (p.kind === 'defaults') { alert(c, "'stats admin' not allowed in 'defaults' section."); return }
      const cond = statsAdminCondition(p, c, c.words.slice(2))
      if (cond !== undefined) p.statsPage = { ...s, admin: cond }
      return
    }
  }
  alert(c, `'stats' expects 'admin', 'auth', 'enable', 'hide-version', 'realm', 'refresh', 'scope', 'show-desc', 'show-legends', 'show-node' or 'uri' (got '${sub ?? ''}').`)
}

const HTTP_REUSE: ReadonlySet<string> = new Set(['never', 'safe', 'aggressive', 'always'])

const noEffect = (caps: number): ProxyKeyword => ({ caps, parse: () => {} })

/** HAProxy 2.1+ removed these in favour of http-request/http-response rules. */
const REMOVED_REGEX_KEYWORDS = ['reqadd', 'reqdel', 'reqrep', 'reqallow', 'reqdeny', 'reqtarpit', 'reqpass', 'reqiallow',
  'reqidel', 'reqideny', 'reqirep', 'reqitarpit', 'reqipass', 'rspadd', 'rspdel', 'rsprep', 'rspdeny', 'rspidel', 'rspideny', 'rspirep']

const removed: ProxyKeyword = {
  caps: ANY,
  parse: (_p, c) => alert(c, `The '${c.words[0]}' directive is not supported anymore since HAProxy 2.1. Use 'http-request' or 'http-response' rules instead.`)
}

export const PROXY_KEYWORDS: Readonly<Record<string, ProxyKeyword>> = {
  ...Object.fromEntries(REMOVED_REGEX_KEYWORDS.map(k => [k, removed])),
  mode: { caps: ANY, parse: parseMode },
  bind: { caps: Cap.Fe, noDefaults: true, parse: parseBind },
  maxconn: { caps: FE, parse: (p, c) => { const v = intArg(c, c.words[1], 'maxconn', 0); if (v !== null && noExtra(c, 1)) p.maxconn = v } },
  backlog: { caps: FE, parse: (p, c) => { const v = intArg(c, c.words[1], 'backlog', 0); if (v !== null && noExtra(c, 1)) p.backlog = v } },
  retries: { caps: BE, parse: (p, c) => { const v = intArg(c, c.words[1], 'retries', 0); if (v !== null && noExtra(c, 1)) p.retries = v } },
  fullconn: { caps: BE, parse: (p, c) => { const v = intArg(c, c.words[1], 'fullconn', 0); if (v !== null && noExtra(c, 1)) p.fullconn = v } },
  timeout: { caps: ANY, parse: parseTimeout },
  option: { caps: ANY, parse: (p, c) => parseOption(p, c, false) },
  balance: { caps: BE, parse: parseBalance },
  'hash-type': { caps: BE, parse: parseHashType },
  cookie: { caps: BE, parse: parseCookie },
  server: { caps: Cap.Be, strict: true, noDefaults: true, parse: parseServer },
  'default-server': { caps: BE, strict: true, parse: parseDefaultServer },
  acl: { caps: Cap.Fe | Cap.Be, noDefaults: true, parse: parseAcl },
  use_backend: { caps: Cap.Fe, noDefaults: true, parse: parseUseBackend },
  default_backend: {
    caps: FE,
    parse: (p, c) => {
      if (c.words[1] === undefined) { alert(c, "'default_backend' expects a backend name."); return }
      if (noExtra(c, 1)) { p.defaultBackend = c.words[1]; p.defaultBackendWhere = c.where }
    }
  },
  'use-server': { caps: Cap.Be, noDefaults: true, parse: parseUseServer },
  'http-request': { caps: Cap.Fe | Cap.Be, noDefaults: true, parse: parseHttpRequest },
  'http-response': { caps: Cap.Fe | Cap.Be, noDefaults: true, parse: parseHttpResponse },
  'tcp-request': { caps: Cap.Fe | Cap.Be, noDefaults: true, parse: parseTcpRequest },
  'tcp-response': { caps: Cap.Be, noDefaults: true, parse: parseTcpResponse },
  'stick-table': { caps: Cap.Fe | Cap.Be, noDefaults: true, parse: parseStickTable },
  stick: { caps: Cap.Be, noDefaults: true, parse: parseStick },
  'force-persist': { caps: Cap.Be, noDefaults: true, parse: parsePersistRule },
  'ignore-persist': { caps: Cap.Be, noDefaults: true, parse: parsePersistRule },
  capture: { caps: Cap.Fe, noDefaults: true, parse: parseCapture },
  declare: { caps: Cap.Fe, noDefaults: true, parse: parseDeclare },
  'http-check': { caps: BE, parse: parseHttpCheck },
  'tcp-check': { caps: BE, parse: parseTcpCheck },
  'http-reuse': {
    caps: BE,
    parse: (p, c) => {
      const m = c.words[1] ?? ''
      if (!HTTP_REUSE.has(m)) { alert(c, "'http-reuse' only supports 'never', 'safe', 'aggressive', 'always'"); return }
      if (noExtra(c, 1)) p.httpReuse = m as ProxyDraft['httpReuse']
    }
  },
  log: { caps: ANY, parse: (p, c) => parseProxyLog(p, c, false) },
  'log-format': {
    caps: ANY,
    parse: (p, c) => {
      if (c.words[1] === undefined) { alert(c, "'log-format' expects a format string."); return }
      if (noExtra(c, 1)) p.logFormat = c.words[1]
    }
  },
  errorfile: { caps: ANY, parse: parseErrorfile },
  monitor: { caps: FE, parse: parseMonitor },
  'monitor-uri': { caps: FE, parse: (p, c) => { if (c.words[1] === undefined) alert(c, "'monitor-uri' expects an URI."); else if (noExtra(c, 1)) p.monitorUri = c.words[1] } },
  stats: { caps: ANY, parse: parseProxyStats },
  disabled: { caps: ANY, parse: (p, c) => { if (noExtra(c, 0)) p.disabled = true } },
  enabled: { caps: ANY, parse: (p, c) => { if (noExtra(c, 0)) p.disabled = false } },
  description: noEffect(Cap.Fe | Cap.Be),
  id: noEffect(Cap.Fe | Cap.Be),
  'log-tag': noEffect(ANY),
  'unique-id-format': noEffect(FE),
  'unique-id-header': noEffect(FE),
  compression: noEffect(ANY)
}

/** `no <keyword>` forms: `no option X`, `no log`. */
export function parseNegated (p: ProxyDraft, c: KwCtx): void {
  const kw = c.words[1]
  if (kw === 'option') parseOption(p, c, true)
  else if (kw === 'log') parseProxyLog(p, c, true)
  else alert(c, `'no' is only supported for 'option' and 'log' (got '${kw ?? ''}').`)
}
