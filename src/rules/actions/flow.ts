import { readFileSync } from 'node:fs'
import { isAbsolute, join } from 'node:path'
import { headerLineAt } from '../fetches/headers.ts'
import type { ActionTarget, RuleOutcome, Template } from '../types.ts'
import { RulesError } from '../types.ts'
import type { ActionParser, ActionCtx, ActionRun } from './parse.ts'
import { arg, template, statusArg, isCondWord } from './parse.ts'

/** Final verdicts: allow, deny, tarpit, return, redirect (HAProxy http_act.c). */
const ALLOW: RuleOutcome = Object.freeze({ kind: 'allow' })

/** `return`-style options, from <i> to the condition: status, content-type,
 *  string / lf-string / file / lf-file, hdr <name> <fmt>. */
function parseResponse (words: readonly string[], i: number, cc: ActionCtx, keyword: string, defaultStatus: number, statusWord: string): { run: ActionRun; next: number; status: number; hasPayload: boolean } {
  let status = defaultStatus
  let contentType: string | null = null
  let body: Template | null = null
  let dynamic = false
  const extra: [string, Template][] = []
  const readFile = (f: string): string => {
    const path = isAbsolute(f) ? f : join(cc.baseDir, f)
    try { return readFileSync(path, 'latin1') } catch { throw new RulesError(`'${keyword}' : failed to read file '${path}'`) }
  }
  while (i < words.length && !isCondWord(words[i])) {
    const w = words[i]
    const v = arg(words, i + 1, `a value after '${w}'`, keyword)
    i += 2
    if (w === statusWord || (w === 'status' && statusWord !== 'status')) status = statusArg(v, keyword)
    else if (w === 'content-type') contentType = v
    else if (w === 'string') { const text = v; body = () => text } else if (w === 'lf-string') { body = template(v, cc); dynamic = true }
    else if (w === 'file') { const text = readFile(v); body = () => text } else if (w === 'lf-file') { body = template(readFile(v), cc); dynamic = true }
    else if (w === 'hdr') { extra.push([v, template(arg(words, i, 'a header value', keyword), cc)]); i++; dynamic = true } else throw new RulesError(`'${keyword}' : unexpected keyword '${w}'`)
  }
  if (contentType !== null && body === null) throw new RulesError(`'${keyword}' : a content-type requires a payload (string, lf-string, file)`)
  if (body !== null && contentType === null) throw new RulesError(`'${keyword}' : a payload requires a content-type`)
  const ct = contentType
  const payload = body
  const make = (t: ActionTarget): RuleOutcome => {
    const headers: [string, string][] = extra.map(([n, f]) => [n, f(t)])
    if (ct !== null) headers.unshift(['content-type', ct])
    return { kind: 'respond', status, headers, body: payload === null ? '' : payload(t) }
  }
  const hasPayload = payload !== null || extra.length > 0
  if (!dynamic) {
    const fixed = make(null as unknown as ActionTarget) // WHY: nothing in it reads the request
    return { run: () => fixed, next: i, status, hasPayload }
  }
  return { run: make, next: i, status, hasPayload }
}

const returnAction: ActionParser = (words, i, _p, cc) => {
  const r = parseResponse(words, i, cc, 'return', 200, 'status')
  return { run: r.run, next: r.next }
}

/** deny/tarpit [deny_status <code>] [return options]: without a payload the
 *  proxy sends its error page for the status. */
const denyLike = (keyword: string, defaultStatus: number, tarpit: boolean): ActionParser => (words, i, _p, cc) => {
  const r = parseResponse(words, i, cc, keyword, defaultStatus, 'deny_status')
  if (!r.hasPayload) {
    const fixed: RuleOutcome = Object.freeze(tarpit ? { kind: 'deny', status: r.status, tarpit } : { kind: 'deny', status: r.status })
    return { run: () => fixed, next: r.next }
  }
  return { run: r.run, next: r.next }
}

const REDIRECT_CODES = new Set([301, 302, 303, 307, 308])

/** redirect location|prefix|scheme <fmt> [code <n>] [drop-query] [append-slash] */
const redirect: ActionParser = (words, i, _p, cc) => {
  const type = arg(words, i, "'location', 'prefix' or 'scheme'", 'redirect')
  if (type !== 'location' && type !== 'prefix' && type !== 'scheme') throw new RulesError(`'redirect' expects 'location', 'prefix' or 'scheme', got '${type}'`)
  const target = template(arg(words, i + 1, `a ${type}`, 'redirect'), cc)
  let code = 302
  let dropQuery = false
  let appendSlash = false
  let k = i + 2
  for (; k < words.length && !isCondWord(words[k]); k++) {
    const w = words[k]
    if (w === 'code') {
      code = Number(arg(words, ++k, 'a code', 'redirect'))
      if (!REDIRECT_CODES.has(code)) throw new RulesError(`'redirect' : unsupported HTTP code '${words[k]}' (301, 302, 303, 307 and 308 are supported)`)
    } else if (w === 'drop-query') dropQuery = true
    else if (w === 'append-slash') appendSlash = true
    else throw new RulesError(`'redirect' : unsupported option '${w}'`)
  }
  const tail = (uri: string): string => {
    let path = uri
    if (dropQuery) { const q = path.indexOf('?'); if (q >= 0) path = path.slice(0, q) }
    if (appendSlash && dropQuery && !path.endsWith('/')) path += '/'
    return path
  }
  let run: ActionRun
  if (type === 'location') run = t => ({ kind: 'redirect', status: code, location: target(t) })
  else if (type === 'prefix') {
    run = t => {
      const pfx = target(t)
      const uri = tail(t.req?.uri ?? t.head.uri)
      return { kind: 'redirect', status: code, location: pfx === '/' ? uri : pfx + uri }
    }
  } else {
    run = t => {
      const req = t.req ?? t.head
      const host = headerLineAt(req, 'host', 1) ?? ''
      return { kind: 'redirect', status: code, location: target(t) + '://' + host + tail(req.uri) }
    }
  }
  return { run, next: k }
}

const PROMETHEUS: RuleOutcome = Object.freeze({ kind: 'service', name: 'prometheus-exporter' })

/** use-service <name>: only the Prometheus exporter exists here. */
const useService: ActionParser = (words, i) => {
  const name = arg(words, i, 'a service name', 'use-service')
  if (name !== 'prometheus-exporter') throw new RulesError(`'use-service' : unknown service '${name}' (only 'prometheus-exporter' is available)`)
  return { run: () => PROMETHEUS, next: i + 1 }
}

/** Request-only final actions. */
export const SERVICE_ACTIONS: Readonly<Record<string, ActionParser>> = { 'use-service': useService }

export const FLOW_ACTIONS: Readonly<Record<string, ActionParser>> = {
  allow: (_w, i) => ({ run: () => ALLOW, next: i }),
  deny: denyLike('deny', 403, false),
  tarpit: denyLike('tarpit', 500, true),
  return: returnAction,
  redirect
}
