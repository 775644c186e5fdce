import { hostname } from 'node:os'
import type { StatsSocketPlan } from '../plan.ts'
import { parseAddress } from '../address.ts'
import { parseSize } from '../durations.ts'
import { parseLogTarget } from './log.ts'
import { alert, intArg, noExtra, timeArg, warn, type GlobalDraft, type KwCtx } from './types.ts'

/** `global` section keywords: explicit table name → parser. */

export function newGlobal (where: { file: string; line: number }): GlobalDraft {
  return {
    maxconn: 4096, logs: [], logTag: 'pocketlb', logSendHostname: null, statsSockets: [], statsTimeout: 10000, node: hostname(), description: '',
    tune: { bufsize: 16384, maxrewrite: 1024, maxhdr: 101 }, spreadChecks: 0, hardStopAfter: 0, pidfile: null, where
  }
}

type GlobalParser = (g: GlobalDraft, c: KwCtx) => void

/** Keywords that have no meaning on this device: warned about and ignored. */
const NO_EFFECT = ['user', 'group', 'uid', 'gid', 'daemon', 'nbproc', 'nbthread', 'chroot', 'ulimit-n', 'cpu-map',
  'master-worker', 'quiet', 'noepoll', 'nopoll', 'nosplice', 'maxpipes', 'thread-groups',
  'tune.maxaccept', 'tune.maxpollevents', 'tune.rcvbuf.client', 'tune.rcvbuf.server', 'tune.sndbuf.client',
  'tune.sndbuf.server', 'tune.pipesize', 'tune.idletimer', 'maxsslconn', 'maxconnrate', 'maxsessrate']

/** Keywords HAProxy 2.6 rejects but that old configurations carry: accepted with a warning. */
const REJECTED_BY_HAPROXY: Readonly<Record<string, string>> = {
  nbproc: 'HAProxy 2.6 rejects it (not supported any more since HAProxy 2.5)'
}

/** TLS settings kept for the TLS work (not used yet). */
const TLS_LATER = ['ssl-default-bind-ciphers', 'ssl-default-bind-ciphersuites', 'ssl-default-bind-options',
  'ssl-default-server-ciphers', 'ssl-default-server-ciphersuites', 'ssl-default-server-options',
  'tune.ssl.default-dh-param', 'tune.ssl.cachesize', 'tune.ssl.lifetime', 'ca-base', 'crt-base', 'ssl-server-verify']

const noEffect: GlobalParser = (_g, c) => {
  const why = REJECTED_BY_HAPROXY[c.words[0] as string]
  warn(c, `'${c.words[0]}' has no effect on this device and is ignored${why === undefined ? '' : ` (${why})`}.`)
}
const tlsLater: GlobalParser = (_g, c) => warn(c, `'${c.words[0]}' is not supported yet (TLS) and is ignored.`)

const sizeKw = (key: 'bufsize' | 'maxrewrite'): GlobalParser => (g, c) => {
  const s = parseSize(c.words[1] ?? '')
  if (typeof s !== 'number' || s <= 0) { alert(c, `'${c.words[0]}' expects a positive integer argument.`); return }
  if (noExtra(c, 1)) g.tune[key] = s
}

const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/

export const GLOBAL_KEYWORDS: Readonly<Record<string, GlobalParser>> = {
  ...Object.fromEntries(NO_EFFECT.map(k => [k, noEffect])),
  ...Object.fromEntries(TLS_LATER.map(k => [k, tlsLater])),
  maxconn: (g, c) => { const v = intArg(c, c.words[1], 'maxconn', 1); if (v !== null && noExtra(c, 1)) g.maxconn = v },
  log: (g, c) => {
    if (c.words[1] === 'global') { alert(c, "'log global' is not allowed in the 'global' section."); return }
    const t = parseLogTarget(c, c.words.slice(1))
    if (t !== null) g.logs.push(t)
  },
  node: (g, c) => { if (noExtra(c, 1)) g.node = c.words[1] ?? '' },
  description: (g, c) => { g.description = c.words.slice(1).join(' ') },
  'log-tag': (g, c) => { if (c.words[1] === undefined) alert(c, "'log-tag' expects a tag for use in syslog."); else if (noExtra(c, 1)) g.logTag = c.words[1] },
  'log-send-hostname': (g, c) => { if (noExtra(c, 1)) g.logSendHostname = c.words[1] ?? hostname() },
  'tune.bufsize': sizeKw('bufsize'),
  'tune.maxrewrite': sizeKw('maxrewrite'),
  'tune.http.maxhdr': (g, c) => { const v = intArg(c, c.words[1], 'tune.http.maxhdr', 1, 32767); if (v !== null && noExtra(c, 1)) g.tune.maxhdr = v },
  'spread-checks': (g, c) => { const v = intArg(c, c.words[1], 'spread-checks', 0, 50); if (v !== null && noExtra(c, 1)) g.spreadChecks = v },
  'hard-stop-after': (g, c) => { const v = timeArg(c, c.words[1], 'hard-stop-after'); if (v !== null && noExtra(c, 1)) g.hardStopAfter = v },
  pidfile: (g, c) => { if (c.words[1] === undefined) alert(c, "'pidfile' expects a file name as an argument."); else if (noExtra(c, 1)) g.pidfile = c.words[1] },
  stats: (g, c) => parseGlobalStats(g, c),
  setenv: (_g, c) => setEnv(c, true),
  presetenv: (_g, c) => setEnv(c, false),
  unsetenv: (_g, c) => { for (const n of c.words.slice(1)) c.env.delete(n) },
  resetenv: (_g, c) => {
    const keep = new Set(c.words.slice(1))
    for (const k of [...c.env.keys()]) if (!keep.has(k)) c.env.delete(k)
  }
}

/** setenv/presetenv <name> <value>: later lines see the variable (HAProxy does the same). */
function setEnv (c: KwCtx, overwrite: boolean): void {
  const [, name, value] = c.words
  if (name === undefined || value === undefined || !ENV_NAME.test(name)) { alert(c, `'${c.words[0]}' expects exactly 2 arguments.`); return }
  if (!noExtra(c, 2)) return
  if (overwrite || !c.env.has(name)) c.env.set(name, value)
}

const LEVELS: ReadonlySet<string> = new Set(['user', 'operator', 'admin'])

function parseGlobalStats (g: GlobalDraft, c: KwCtx): void {
  const sub = c.words[1]
  if (sub === 'timeout') {
    const t = timeArg(c, c.words[2], 'stats timeout')
    if (t !== null && t > 0 && noExtra(c, 2)) g.statsTimeout = t
    return
  }
  if (sub === 'maxconn' || sub === 'bind-process') { warn(c, `'stats ${sub}' has no effect on this device and is ignored.`); return }
  if (sub !== 'socket') { alert(c, "'stats' only supports 'socket', 'maxconn', 'bind-process' and 'timeout' (got '" + (sub ?? '') + "')."); return }
  const addrText = c.words[2]
  if (addrText === undefined) { alert(c, "'stats socket' requires a path or an address."); return }
  const a = parseAddress(addrText, { stream: 'tcp', portRequired: true, allowRange: false, allowUnix: true, allowFd: true })
  if ('error' in a || a.kind === 'udp') { alert(c, `'stats socket' : ${'error' in a ? a.error : `invalid address '${addrText}'`}`); return }
  let level: StatsSocketPlan['level'] = 'operator'
  let mode = 0
  const args = c.words.slice(3)
  for (let i = 0; i < args.length; i++) {
    const w = args[i] as string
    const v = args[i + 1]
    switch (w) {
      case 'level':
        if (v === undefined || !LEVELS.has(v)) { alert(c, "'level' only supports 'user', 'operator', and 'admin'"); return }
        level = v as StatsSocketPlan['level']; i++; break
      case 'mode':
        if (v === undefined || !/^[0-7]+$/.test(v)) { alert(c, "'mode' : missing or invalid mode (octal integer expected)"); return }
        mode = parseInt(v, 8); i++; break
      case 'expose-fd':
        if (v !== 'listeners') { alert(c, "'expose-fd' only supports 'listeners'"); return }
        i++; break
      case 'user': case 'group': case 'uid': case 'gid': case 'process': case 'thread': case 'name': case 'maxconn': case 'backlog':
        if (v === undefined) { alert(c, `'${w}' : missing value`); return }
        if (w !== 'name' && w !== 'maxconn' && w !== 'backlog') warn(c, `'stats socket' option '${w}' has no effect on this device and is ignored.`)
        i++; break
      default:
        alert(c, `'stats socket' : unknown keyword '${w}'.`); return
    }
  }
  g.statsSockets.push({
    kind: a.kind === 'tcp' ? 'tcp' : a.kind, path: a.kind === 'unix' ? a.path : '',
    host: a.kind === 'tcp' ? a.host : '', port: a.kind === 'tcp' ? a.port : 0, fd: a.kind === 'fd' ? a.fd : -1,
    level, mode, where: c.where
  })
}

