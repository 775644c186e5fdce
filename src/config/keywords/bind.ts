import type { BindPlan } from '../plan.ts'
import type { ProxyDraft } from '../draft.ts'
import { parseAddress, type Address } from '../address.ts'
import { didYouMean } from '../suggest.ts'
import { BIND_TLS_WORDS } from './tls-words.ts'
import { compileBindTls } from '../../tls/bind-words.ts'
import { alert, intArg, warn, type KwCtx } from './types.ts'

/** `bind <addr>[,<addr>...] [options]` → one BindPlan per address. */

interface BindOptions {
  name: string
  maxconn: number
  acceptProxy: boolean
  v4v6: boolean
  v6only: boolean
  ssl: boolean
  sslWords: string[]
}

/** option → [number of arguments, what to do]; 'ignore' = accepted, no effect here. */
type BindOption = readonly [args: number, apply: (o: BindOptions, arg: string, c: KwCtx) => boolean]

const ignored: BindOption[1] = () => true
const noEffect = (name: string): BindOption[1] => (_o, _a, c) => { warn(c, `'bind' option '${name}' has no effect on this device and is ignored.`); return true }

const BIND_OPTIONS: Readonly<Record<string, BindOption>> = {
  name: [1, (o, a) => { o.name = a; return true }],
  maxconn: [1, (o, a, c) => { const v = intArg(c, a, 'maxconn', 0); if (v === null) return false; o.maxconn = v; return true }],
  'accept-proxy': [0, o => { o.acceptProxy = true; return true }],
  v4v6: [0, o => { o.v4v6 = true; return true }],
  v6only: [0, o => { o.v6only = true; return true }],
  ssl: [0, o => { o.ssl = true; return true }],
  process: [1, noEffect('process')],
  thread: [1, noEffect('thread')],
  backlog: [1, ignored],
  id: [1, ignored],
  interface: [1, ignored],
  mss: [1, ignored],
  nice: [1, ignored],
  mode: [1, ignored],
  user: [1, ignored],
  group: [1, ignored],
  uid: [1, ignored],
  gid: [1, ignored],
  level: [1, ignored],
  tfo: [0, ignored],
  transparent: [0, ignored],
  'defer-accept': [0, ignored]
}

const ALL_OPTION_NAMES = [...Object.keys(BIND_OPTIONS), ...Object.keys(BIND_TLS_WORDS)]

export function parseBind (p: ProxyDraft, c: KwCtx): void {
  const list = c.words[1]
  if (list === undefined || list === '') {
    alert(c, "'bind' expects {<path>|[addr1]:port1[-end1]}{,[addr]:port[-end]}... as arguments.")
    return
  }
  const addrs: Address[] = []
  for (const part of list.split(',')) {
    const a = parseAddress(part, { stream: 'tcp', portRequired: true, allowRange: true, allowUnix: true, allowFd: true })
    if ('error' in a || a.kind === 'udp') {
      alert(c, `'bind ${list}' : ${'error' in a ? a.error : `UDP is not supported: '${part}'`}.`)
      return
    }
    addrs.push(a)
  }
  const o: BindOptions = { name: '', maxconn: 0, acceptProxy: false, v4v6: false, v6only: false, ssl: false, sslWords: [] }
  const args = c.words.slice(2)
  for (let i = 0; i < args.length; i++) {
    const w = args[i] as string
    const opt = BIND_OPTIONS[w]
    const tlsArgs = BIND_TLS_WORDS[w]
    const n = opt?.[0] ?? tlsArgs
    if (n === undefined) {
      alert(c, `'bind ${list}' in section '${p.kind}': unknown keyword '${w}'${didYouMean(w, ALL_OPTION_NAMES)}`)
      return
    }
    const arg = args[i + 1]
    if (n > 0 && arg === undefined) { alert(c, `'bind ${list}' : missing argument for '${w}'.`); return }
    if (opt !== undefined) { if (!opt[1](o, arg ?? '', c)) return } else o.sslWords.push(...args.slice(i, i + 1 + n))
    i += n
  }
  let tls: BindPlan['tls']
  if (o.ssl) {
    const r = compileBindTls(o.sslWords, c.baseDir)
    if ('error' in r) { alert(c, `'bind ${list}' in section '${p.kind}' : ${r.error}`); return }
    for (const w of r.warnings) warn(c, `'bind ${list}' : ${w}`)
    tls = r.plan
  }
  for (const a of addrs) p.binds.push(toBindPlan(a, o, c, tls))
}

function toBindPlan (a: Address, o: BindOptions, c: KwCtx, tls: BindPlan['tls']): BindPlan {
  const base = {
    name: o.name, v4v6: o.v4v6, v6only: o.v6only, maxconn: o.maxconn, acceptProxy: o.acceptProxy,
    ssl: o.ssl, sslWords: o.sslWords, where: c.where, ...(tls === undefined ? {} : { tls })
  }
  if (a.kind === 'unix') return { ...base, kind: 'unix', host: '', port: 0, portEnd: 0, path: a.path, fd: -1 }
  if (a.kind === 'fd') return { ...base, kind: 'fd', host: '', port: 0, portEnd: 0, path: '', fd: a.fd }
  return { ...base, kind: 'tcp', host: a.host, port: a.port, portEnd: a.portEnd, path: '', fd: -1 }
}
