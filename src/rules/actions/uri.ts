import { requestPath } from '../../core/http-head.ts'
import type { Template } from '../types.ts'
import type { ActionParser } from './parse.ts'
import { arg, template, CONTINUE, statusArg } from './parse.ts'

/** Request line and status rewrites (HAProxy http_act.c). */

/** Splits <uri> into [before-path, path, '?query' or ''] (absolute-form keeps scheme://authority). */
function uriParts (uri: string): [string, string, string] {
  const path = requestPath(uri)
  const pathStart = path === '' ? (uri.includes('://') ? uri.length : 0) : uri.indexOf(path)
  const q = uri.indexOf('?', pathStart)
  const end = q < 0 ? uri.length : q
  return [uri.slice(0, pathStart), uri.slice(pathStart, end), uri.slice(end)]
}

const uriRewrite = (keyword: string, apply: (uri: string, value: string) => string): ActionParser => (words, i, _p, cc) => {
  const value: Template = template(arg(words, i, 'a log-format string', keyword), cc)
  return { run: t => { t.head.uri = apply(t.head.uri, value(t)); return CONTINUE }, next: i + 1 }
}

const setStatus: ActionParser = (words, i) => {
  const status = statusArg(arg(words, i, 'a status code', 'set-status'), 'set-status', 100, 999)
  let reason: string | null = null
  let next = i + 1
  if (words[next] === 'reason') { reason = arg(words, next + 1, 'a reason', 'set-status'); next += 2 }
  return { run: t => { t.head.status = status; if (reason !== null) t.head.reason = reason; return CONTINUE }, next }
}

const setMethod: ActionParser = (words, i, _p, cc) => {
  const value = template(arg(words, i, 'a log-format string', 'set-method'), cc)
  return { run: t => { t.head.method = value(t); return CONTINUE }, next: i + 1 }
}

export const REQUEST_LINE_ACTIONS: Readonly<Record<string, ActionParser>> = {
  'set-uri': uriRewrite('set-uri', (_uri, v) => v),
  'set-path': uriRewrite('set-path', (uri, v) => { const [pre, , q] = uriParts(uri); return pre + v + q }),
  'set-pathq': uriRewrite('set-pathq', (uri, v) => uriParts(uri)[0] + v),
  'set-query': uriRewrite('set-query', (uri, v) => { const [pre, path] = uriParts(uri); return pre + path + (v === '' ? '' : '?' + v) }),
  'set-method': setMethod
}

export const STATUS_ACTIONS: Readonly<Record<string, ActionParser>> = {
  'set-status': setStatus
}
