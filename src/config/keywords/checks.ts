import type { CheckStep } from '../plan.ts'
import type { CheckDraft, ProxyDraft } from '../draft.ts'
import { alert, warn, type KwCtx } from './types.ts'

/** Health-check definitions of a backend: `option httpchk|tcp-check|redis-check|...`,
 *  `http-check ...` and `tcp-check ...` sequences (kept close to the words; the
 *  checks engine runs them). */

const CRLF = '\r\n'

/** Switches the check kind; steps written for another kind do not carry over. */
function setKind (p: ProxyDraft, kind: CheckDraft['kind']): void {
  if (p.check.kind !== kind) p.check = { ...p.check, kind, steps: [] }
}

/** option httpchk [<uri>] | [<method> <uri> [<version>]] — the version may carry
 *  extra header lines after a CRLF (the old "HTTP/1.1\r\nHost:\ x" trick). */
export function optionHttpchk (p: ProxyDraft, c: KwCtx, args: readonly string[]): void {
  setKind(p, 'http')
  let method = 'OPTIONS'; let uri = '/'; let version = 'HTTP/1.0'
  if (args.length === 1) uri = args[0] as string
  else if (args.length >= 2) { method = args[0] as string; uri = args[1] as string; version = args[2] ?? version }
  if (args.length > 3) { alert(c, `'option httpchk' cannot handle unexpected argument '${args[3]}'.`); return }
  let extra = ''
  const cut = version.indexOf(CRLF)
  if (cut >= 0) {
    extra = version.slice(cut + 2); version = version.slice(0, cut)
    warn(c, "'option httpchk' : hiding headers or body at the end of the version string is deprecated. Please, consider to use 'http-check send' directive instead.")
  }
  p.check = { ...p.check, httpMethod: method, httpUri: uri, httpVersion: version, httpExtra: extra }
}

export function optionCheckKind (p: ProxyDraft, kind: CheckDraft['kind']): void { setKind(p, kind) }

/** option smtpchk [EHLO|HELO <domain>]: anything else greets with "HELO localhost", as HAProxy. */
export function optionSmtpchk (p: ProxyDraft, args: readonly string[]): void {
  setKind(p, 'smtp')
  const [verb, domain] = args
  p.check = { ...p.check, protocolArg: (verb === 'EHLO' || verb === 'HELO') && domain !== undefined ? `${verb} ${domain}` : 'HELO localhost' }
}

/** option pgsql-check user <username> */
export function optionPgsqlCheck (p: ProxyDraft, c: KwCtx, args: readonly string[]): void {
  const [word, user] = args
  if (word === undefined || user === undefined) { alert(c, "'option pgsql-check' expects 'user <username>' as argument."); return }
  if (word !== 'user') { alert(c, "'option pgsql-check' only supports optional values: 'user'."); return }
  setKind(p, 'pgsql')
  p.check = { ...p.check, protocolArg: user }
}

const EXPECT_KINDS: ReadonlySet<string> = new Set(['string', 'rstring', 'binary', 'rbinary', 'status', 'rstatus', 'hdr', 'fhdr'])

/** expect [min-recv <n>] [comment <c>] [<status options> <v>]... [!] <match> <pattern> */
function parseExpect (c: KwCtx, kw: string, args: readonly string[]): CheckStep | null {
  let i = 0
  let min = false
  let comment: string | null = null
  const SKIP_WITH_ARG = new Set(['ok-status', 'error-status', 'tout-status', 'on-success', 'on-error', 'status-code'])
  for (;;) {
    const w = args[i]
    if (w === 'min-recv') { min = true; i += 2 } else if (w === 'comment') { comment = args[i + 1] ?? ''; i += 2 } else if (w !== undefined && SKIP_WITH_ARG.has(w)) i += 2
    else break
  }
  let negate = false
  if (args[i] === '!') { negate = true; i++ }
  const what = args[i]
  if (what === undefined || !EXPECT_KINDS.has(what)) {
    alert(c, `'${kw} expect' : expects 'string', 'rstring', 'binary', 'rbinary', 'status', 'rstatus', 'hdr' or 'fhdr' but got '${what ?? ''}'.`)
    return null
  }
  let pattern: string
  if (what === 'hdr' || what === 'fhdr') pattern = args.slice(i + 1).join(' ')
  else pattern = args[i + 1] ?? ''
  if (pattern === '') { alert(c, `'${kw} expect ${what}' expects <pattern> as an argument.`); return null }
  if (what !== 'hdr' && what !== 'fhdr' && args[i + 2] !== undefined) { alert(c, `'${kw} expect' : unexpected argument '${args[i + 2]}'.`); return null }
  if (what === 'binary' && !/^([0-9a-fA-F]{2})+$/.test(pattern)) { alert(c, `'${kw} expect binary' : invalid hexadecimal pattern '${pattern}'.`); return null }
  return { t: 'expect', negate, what: what as 'string', pattern, min, comment }
}

function parseConnect (c: KwCtx, kw: string, args: readonly string[]): CheckStep | null {
  let port = 0; let ssl = false
  for (let i = 0; i < args.length; i++) {
    const w = args[i]
    if (w === 'port') {
      const v = args[++i]
      if (v === undefined || !/^\d+$/.test(v) || Number(v) < 1 || Number(v) > 65535) { alert(c, `'${kw} connect' : invalid port '${v ?? ''}'.`); return null }
      port = Number(v)
    } else if (w === 'ssl') ssl = true
    else if (w === 'send-proxy' || w === 'via-socks4' || w === 'linger' || w === 'default') { /* accepted, no effect here */ } else if (w === 'sni' || w === 'alpn' || w === 'proto' || w === 'addr' || w === 'comment') i++
    else { alert(c, `'${kw} connect' : unknown keyword '${w}'.`); return null }
  }
  return { t: 'connect', port, ssl }
}

export function parseTcpCheck (p: ProxyDraft, c: KwCtx): void {
  const [, sub, ...args] = c.words
  let step: CheckStep | null = null
  switch (sub) {
    case 'connect': step = parseConnect(c, 'tcp-check', args); break
    case 'send':
      if (args[0] === undefined) { alert(c, "'tcp-check send' expects a <string> as argument."); return }
      step = { t: 'send', data: Buffer.from(args[0], 'latin1') }; break
    case 'send-binary':
      if (args[0] === undefined || !/^([0-9a-fA-F]{2})+$/.test(args[0])) { alert(c, "'tcp-check send-binary' expects a <hexstring> as argument."); return }
      step = { t: 'send', data: Buffer.from(args[0], 'hex') }; break
    case 'send-lf': case 'send-binary-lf':
      warn(c, `'tcp-check ${sub}' is not supported yet and is ignored.`); return
    case 'expect': step = parseExpect(c, 'tcp-check', args); break
    case 'comment': step = { t: 'comment', text: args.join(' ') }; break
    case 'set-var': case 'unset-var': case 'action':
      warn(c, `'tcp-check ${sub}' is not supported yet and is ignored.`); return
    default:
      alert(c, `'tcp-check' expects 'comment', 'connect', 'send', 'send-binary', 'expect' or 'set-var' but got '${sub ?? ''}'.`); return
  }
  if (step === null) return
  p.check.steps.push(step)
}

/** http-check send [meth <m>] [uri <u>] [ver <v>] [hdr <name> <value>]* [body <b>] */
function parseHttpSend (c: KwCtx, args: readonly string[]): CheckStep | null {
  let method = ''; let uri = ''; let version = ''; let body = ''
  const headers: [string, string][] = []
  for (let i = 0; i < args.length; i++) {
    const w = args[i]
    const v = args[i + 1]
    if (w === 'hdr') {
      const val = args[i + 2]
      if (v === undefined || val === undefined) { alert(c, "'http-check send' : 'hdr' expects <name> and <value>."); return null }
      headers.push([v, val]); i += 2; continue
    }
    if (v === undefined) { alert(c, `'http-check send' : '${w}' expects an argument.`); return null }
    if (w === 'meth') method = v
    else if (w === 'uri' || w === 'uri-lf') uri = v
    else if (w === 'ver') version = v
    else if (w === 'body' || w === 'body-lf') body = v
    else if (w === 'comment') { /* no effect */ } else { alert(c, `'http-check send' : unknown keyword '${w}'.`); return null }
    i++
  }
  return { t: 'http-send', method, uri, version, headers, body }
}

export function parseHttpCheck (p: ProxyDraft, c: KwCtx): void {
  const [, sub, ...args] = c.words
  let step: CheckStep | null = null
  switch (sub) {
    case 'expect': step = parseExpect(c, 'http-check', args); break
    case 'send': step = parseHttpSend(c, args); break
    case 'connect': step = parseConnect(c, 'http-check', args); break
    case 'comment': step = { t: 'comment', text: args.join(' ') }; break
    case 'disable-on-404': case 'send-state': case 'set-var': case 'unset-var':
      warn(c, `'http-check ${sub}' is not supported yet and is ignored.`); return
    default:
      alert(c, `'http-check' only supports 'comment', 'connect', 'send', 'expect', 'disable-on-404' and 'send-state' (got '${sub ?? ''}').`); return
  }
  if (step !== null) p.check.steps.push(step)
}
