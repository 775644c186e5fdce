import type { ProxyDraft, ServerDraft, ServerSettings } from '../draft.ts'
import { parseAddress } from '../address.ts'
import { parseTime } from '../durations.ts'
import { didYouMean } from '../suggest.ts'
import { SERVER_TLS_WORDS } from './tls-words.ts'
import { compileServerTls } from '../../tls/server-words.ts'
import { Phase } from '../../rules/types.ts'
import { alert, warn, type KwCtx } from './types.ts'

/** `server <name> <addr>[:port] [options]` and `default-server [options]`. */

/** Reports an error about the server being parsed, in HAProxy's words. */
type Fail = (text: string) => false

/** option → [number of arguments, apply]; apply returns false after reporting. */
type ServerOption = readonly [args: number, apply: (s: ServerSettings, arg: string, fail: Fail, c: KwCtx) => boolean]

const set = <K extends keyof ServerSettings>(key: K, value: ServerSettings[K]): ServerOption =>
  [0, s => { s[key] = value; return true }]

const int = (key: 'maxconn' | 'maxqueue' | 'minconn' | 'rise' | 'fall' | 'checkPort' | 'agentPort', what: string, min: number, max: number): ServerOption =>
  [1, (s, a, fail) => {
    if (!/^\d+$/.test(a) || Number(a) < min || Number(a) > max) return fail(`'${what}' expects an integer argument between ${min} and ${max} (got '${a}').`)
    s[key] = Number(a); return true
  }]

const time = (key: 'inter' | 'fastinter' | 'downinter' | 'slowstart' | 'agentInter', what: string, positive: boolean): ServerOption =>
  [1, (s, a, fail) => {
    const t = parseTime(a)
    if (typeof t !== 'number') return fail(`${t.error} in '${what}' argument.`)
    if (positive && t === 0) return fail(`'${what}' expects a positive time value (got '${a}').`)
    s[key] = t; return true
  }]

const ignored: ServerOption[1] = () => true

const SERVER_OPTIONS: Readonly<Record<string, ServerOption>> = {
  weight: [1, (s, a, fail, c) => {
    const v = /^\d+$/.test(a) ? Number(a) : -1
    if (v < 0 || v > 256) return fail(`weight of server ${serverName(c)} is not within 0 and 256 (${a}).`)
    s.weight = v; return true
  }],
  maxconn: int('maxconn', 'maxconn', 0, 2147483647),
  maxqueue: int('maxqueue', 'maxqueue', 0, 2147483647),
  minconn: int('minconn', 'minconn', 0, 2147483647),
  rise: int('rise', 'rise', 1, 2147483647),
  fall: int('fall', 'fall', 1, 2147483647),
  port: int('checkPort', 'port', 1, 65535),
  'agent-port': int('agentPort', 'agent-port', 1, 65535),
  inter: time('inter', 'inter', true),
  fastinter: time('fastinter', 'fastinter', true),
  downinter: time('downinter', 'downinter', true),
  slowstart: time('slowstart', 'slowstart', false),
  'agent-inter': time('agentInter', 'agent-inter', true),
  check: set('check', true),
  'no-check': set('check', false),
  backup: set('backup', true),
  'no-backup': set('backup', false),
  disabled: set('disabled', true),
  enabled: set('disabled', false),
  'send-proxy': set('sendProxy', 1),
  'send-proxy-v2': set('sendProxy', 2),
  'no-send-proxy': set('sendProxy', 0),
  'no-send-proxy-v2': set('sendProxy', 0),
  ssl: set('ssl', true),
  'check-ssl': set('checkSsl', true),
  'no-check-ssl': set('checkSsl', false),
  'agent-check': set('agent', true),
  'no-agent-check': set('agent', false),
  addr: [1, (s, a, fail) => {
    const r = parseAddress(a, { stream: 'tcp', portRequired: false, allowRange: false, allowUnix: false, allowFd: false })
    if ('error' in r || r.kind !== 'tcp') return fail(`'addr' : ${'error' in r ? r.error : 'invalid address'}.`)
    s.checkAddr = r.host; if (r.hasPort) s.checkPort = r.port
    return true
  }],
  'agent-send': [1, (s, a) => { s.agentSend = a; return true }],
  'agent-addr': [1, ignored],
  cookie: [1, (s, a) => { s.cookie = a; return true }],
  source: [1, (s, a, fail) => {
    const r = parseAddress(a, { stream: 'tcp', portRequired: false, allowRange: true, allowUnix: false, allowFd: false })
    if ('error' in r || r.kind !== 'tcp') return fail(`'source' : ${'error' in r ? r.error : 'invalid address'}.`)
    s.source = { addr: r.host, portLow: r.port, portHigh: r.portEnd }
    return true
  }],
  'on-marked-down': [1, (s, a, fail) => {
    if (a !== 'shutdown-sessions') return fail("'on-marked-down' expects 'shutdown-sessions' but got '" + a + "'")
    s.onMarkedDown = a; return true
  }],
  'on-marked-up': [1, (s, a, fail) => {
    if (a !== 'shutdown-backup-sessions') return fail("'on-marked-up' expects 'shutdown-backup-sessions' but got '" + a + "'")
    s.onMarkedUp = a; return true
  }],
  // accepted, no effect on this device (resolution is done at config time, no tracking yet)
  'init-addr': [1, ignored],
  resolvers: [1, ignored],
  'resolve-prefer': [1, ignored],
  'resolve-opts': [1, ignored],
  observe: [1, ignored],
  'error-limit': [1, ignored],
  'on-error': [1, ignored],
  'pool-max-conn': [1, ignored],
  'pool-low-conn': [1, ignored],
  'pool-purge-delay': [1, ignored],
  'max-reuse': [1, ignored],
  proto: [1, ignored],
  namespace: [1, ignored],
  'tcp-ut': [1, ignored],
  'check-proto': [1, ignored],
  'check-send-proxy': [0, ignored],
  'non-stick': [0, ignored],
  stick: [0, ignored],
  tfo: [0, ignored]
}

const ALL_OPTION_NAMES = ['id', ...Object.keys(SERVER_OPTIONS), ...Object.keys(SERVER_TLS_WORDS)]

function serverName (c: KwCtx): string { return c.words[0] === 'server' ? c.words[1] ?? '' : 'default-server' }

/** Applies option words <args> to <s>; <label> is "'server be/name'" or "'default-server'". */
function applyOptions (s: ServerSettings & { id?: number }, args: readonly string[], label: string, c: KwCtx): boolean {
  const fail: Fail = text => { alert(c, `${label} : ${text}`); return false }
  for (let i = 0; i < args.length; i++) {
    const w = args[i] as string
    const arg = args[i + 1]
    if (w === 'id' && s.id !== undefined) {
      if (arg === undefined || !/^[1-9]\d*$/.test(arg)) return fail(`'id' expects a positive integer argument.`)
      s.id = Number(arg); i++; continue
    }
    const opt = SERVER_OPTIONS[w]
    const n = opt?.[0] ?? SERVER_TLS_WORDS[w]
    if (n === undefined) return fail(`unknown keyword '${w}'${didYouMean(w, ALL_OPTION_NAMES)}.`)
    if (n > 0 && arg === undefined) return fail(`'${w}' expects an argument.`)
    if (opt !== undefined) { if (!opt[1](s, arg ?? '', fail, c)) return false } else s.sslWords.push(...args.slice(i, i + 1 + n))
    i += n
  }
  return true
}

export function parseDefaultServer (p: ProxyDraft, c: KwCtx): void {
  const s: ServerSettings = { ...p.defaultServer, sslWords: [...p.defaultServer.sslWords] }
  if (applyOptions(s, c.words.slice(1), "'default-server'", c)) p.defaultServer = s
}

export function parseServer (p: ProxyDraft, c: KwCtx): void {
  const [, name, addrText] = c.words
  if (name === undefined || addrText === undefined) { alert(c, "'server' expects <name> and <addr>[:<port>] as arguments."); return }
  const label = `'server ${p.name}/${name}'`
  const prev = p.servers.find(s => s.name === name)
  if (prev !== undefined) {
    alert(c, `backend '${p.name}', another server named '${name}' was already defined at line ${prev.where.line}, please use distinct names.`)
    return
  }
  const a = parseAddress(addrText, { stream: 'tcp', portRequired: false, allowRange: false, allowUnix: true, allowFd: false })
  if ('error' in a || a.kind === 'udp' || a.kind === 'fd') {
    alert(c, `${label} : ${'error' in a ? a.error : `invalid address '${addrText}'`}.`)
    return
  }
  if (a.kind === 'tcp' && a.host === '') { alert(c, `${label} : invalid address '${addrText}' (a server needs a host).`); return }
  const s: ServerDraft = {
    ...p.defaultServer, sslWords: [...p.defaultServer.sslWords], name, id: 0,
    host: a.kind === 'tcp' ? a.host : '', port: a.kind === 'tcp' ? a.port : 0, unixPath: a.kind === 'unix' ? a.path : '',
    where: c.where
  }
  if (!applyOptions(s, c.words.slice(3), label, c)) return
  if (s.agent && s.agentPort === 0) warn(c, `${label} : 'agent-check' needs 'agent-port'; agent checks disabled.`)
  if (!serverTls(p, s, label, c)) return
  p.servers.push(s)
}

/** Compiles the server's TLS words into s.tls / s.checkTls; false after an
 *  alert (HAProxy reports these after parsing: "[file:line] : 'server be/name' : ..."). */
function serverTls (p: ProxyDraft, s: ServerDraft, label: string, c: KwCtx): boolean {
  if (!s.ssl && !s.checkSsl) return true
  const r = compileServerTls({
    ssl: s.ssl, checkSsl: s.checkSsl, words: s.sslWords, baseDir: c.baseDir,
    compileExpr: expr => c.rules.compileTemplate(`%[${expr}]`, {
      acls: p.acls, baseDir: c.baseDir, phase: Phase.L4Content | Phase.HttpReq, warn: msg => warn(c, msg)
    })
  })
  if ('error' in r) { c.diags.alerts.push(`[${c.where.file}:${c.where.line}] : ${label} : ${r.error}`); return false }
  if (r.lateError !== undefined) s.tlsLateAlert = `[${c.where.file}:${c.where.line}] : ${label} : ${r.lateError}`
  for (const w of r.warnings) warn(c, `${label} : ${w}`)
  if (r.tls !== null) s.tls = r.tls
  if (r.checkTls !== null) s.checkTls = r.checkTls
  return true
}
