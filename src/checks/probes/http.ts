import type { CheckPlan } from '../../config/plan.ts'
import type { Probe, ProbeResult } from '../types.ts'
import { CheckSession } from './session.ts'
import { compileHttpExpect, defaultHttpExpect, type HttpExpect, type HttpResponse } from './http-expect.ts'

/** `option httpchk` / `http-check send` / `http-check expect` (HAProxy 2.6 HTTP
 *  checks): one request with "connection: close" and "content-length", then the
 *  expectations in order; the first failing one decides the result. */

interface HttpProgram {
  readonly request: Buffer
  readonly expects: readonly HttpExpect[]
  readonly needsBody: boolean
}

/** Splits the old-form extra header text ("Host: x\r\nConnection: Upgrade") into pairs. */
function extraHeaders (raw: string): [string, string][] {
  const out: [string, string][] = []
  for (const line of raw.split(/\r?\n/)) {
    const colon = line.indexOf(':')
    if (colon > 0) out.push([line.slice(0, colon).trim(), line.slice(colon + 1).trim()])
  }
  return out
}

export function compileHttpCheck (plan: CheckPlan): HttpProgram {
  let method = plan.httpMethod || 'OPTIONS'
  let uri = plan.httpUri || '/'
  let version = plan.httpVersion || 'HTTP/1.0'
  const headers = extraHeaders(plan.httpExtra)
  let body = ''
  const expects: HttpExpect[] = []
  for (const step of plan.steps) {
    if (step.t === 'http-send') {
      method = step.method || method
      uri = step.uri || uri
      version = step.version || version
      headers.push(...step.headers)
      body = step.body
    } else if (step.t === 'expect') {
      expects.push(compileHttpExpect(step))
    }
  }
  if (expects.length === 0) expects.push(defaultHttpExpect)
  let head = `${method} ${uri} ${version}\r\n`
  let hasConnection = false
  for (const [name, value] of headers) {
    head += `${name.toLowerCase()}: ${value}\r\n`
    if (name.toLowerCase() === 'connection') hasConnection = true
  }
  if (!hasConnection) head += 'connection: close\r\n'
  head += `content-length: ${Buffer.byteLength(body)}\r\n\r\n`
  return { request: Buffer.from(head + body, 'latin1'), expects, needsBody: expects.some(e => e.needsBody) }
}

type Parsed = { readonly res: HttpResponse; readonly complete: boolean } | 'incomplete' | 'invalid'

/** Parses what was received; <ended>: the server closed (the body ends there). */
function parseResponse (b: Buffer, ended: boolean): Parsed {
  let headEnd = b.indexOf('\r\n\r\n')
  let sepLen = 4
  if (headEnd < 0) { headEnd = b.indexOf('\n\n'); sepLen = 2 }
  if (headEnd < 0) return 'incomplete'
  const lines = b.subarray(0, headEnd).toString('latin1').split(/\r?\n/)
  const m = /^HTTP\/\d\.\d (\d{3})(?: (.*))?$/.exec(lines[0] ?? '')
  if (m === null) return 'invalid'
  const headers: [string, string][] = []
  let contentLength = -1
  for (const line of lines.slice(1)) {
    const colon = line.indexOf(':')
    if (colon <= 0) return 'invalid'
    const name = line.slice(0, colon).trim().toLowerCase()
    const value = line.slice(colon + 1).trim()
    headers.push([name, value])
    if (name === 'content-length') contentLength = Number(value)
  }
  const bodyBytes = b.subarray(headEnd + sepLen)
  const body = contentLength >= 0 ? bodyBytes.subarray(0, contentLength) : bodyBytes
  const complete = ended || (contentLength >= 0 && bodyBytes.length >= contentLength)
  return { res: { status: Number(m[1]), reason: m[2] ?? '', headers, body: body.length > 0 ? body : null }, complete }
}

const compiled = new WeakMap<CheckPlan, HttpProgram>()

function programOf (plan: CheckPlan): HttpProgram {
  let p = compiled.get(plan)
  if (p === undefined) { p = compileHttpCheck(plan); compiled.set(plan, p) }
  return p
}

export const httpProbe: Probe = {
  async run (target, plan, signal): Promise<ProbeResult> {
    const program = programOf(plan)
    const s = new CheckSession(target, signal)
    const end = await s.connect()
    if (end !== 'ok') return s.failure(end, '')
    s.send(program.request)
    for (;;) {
      const lastRead = s.ended || s.errorCode !== null
      const parsed = parseResponse(s.received, lastRead)
      if (parsed === 'invalid' || (parsed === 'incomplete' && lastRead)) {
        if (s.received.length === 0 && s.errorCode !== null) return s.failure('error', '')
        return s.result('L7RSP')
      }
      if (parsed !== 'incomplete' && (parsed.complete || !program.needsBody)) {
        for (const e of program.expects) {
          const failed = e.judge(parsed.res)
          if (failed !== null) return s.result(failed.status, failed.info, parsed.res.status)
        }
        return s.result('L7OK', '', parsed.res.status)
      }
      const waited = await s.waitData()
      if (waited === 'timeout' || waited === 'aborted') return s.failure(waited, '')
    }
  }
}
