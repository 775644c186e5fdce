import type { LogTarget } from '../plan.ts'
import type { LogDraft, ProxyDraft } from '../draft.ts'
import { parseAddress } from '../address.ts'
import { alert, intArg, type KwCtx } from './types.ts'

/** `log` lines (global and proxies):
 *  log global | log <target> [len <n>] [format <f>] [sample <r>:<n>] <facility> [<max> [<min>]]
 *  <target>: stdout, stderr, fd@1/fd@2, /path or unix@/path, [udp@]ip[:port] (514). */

export const FACILITIES = ['kern', 'user', 'mail', 'daemon', 'auth', 'syslog', 'lpr', 'news', 'uucp', 'cron', 'auth2',
  'ftp', 'ntp', 'audit', 'alert', 'cron2', 'local0', 'local1', 'local2', 'local3', 'local4', 'local5', 'local6', 'local7'] as const

export const LEVELS = ['emerg', 'alert', 'crit', 'err', 'warning', 'notice', 'info', 'debug'] as const

const FORMATS: ReadonlySet<string> = new Set(['rfc3164', 'rfc5424', 'raw', 'short', 'priority', 'timed', 'iso', 'local'])

const SYSLOG_PORT = 514
const DEFAULT_LEN = 1024

/** Parses the words after `log` (not `global`); reports and returns null on error. */
export function parseLogTarget (c: KwCtx, args: readonly string[]): LogTarget | null {
  const [target, ...rest] = args
  if (target === undefined) { alert(c, "log : 'log' expects either <address[:port]> and <facility> or 'global' as arguments."); return null }
  let kind: LogTarget['kind']
  let host = ''; let port = 0; let path = ''
  if (target === 'stdout' || target === 'fd@1') kind = 'stdout'
  else if (target === 'stderr' || target === 'fd@2') kind = 'stderr'
  else {
    const a = parseAddress(target, { stream: 'udp', portRequired: false, allowRange: false, allowUnix: true, allowFd: false })
    if ('error' in a || a.kind === 'tcp' || a.kind === 'fd') {
      alert(c, `log : invalid address: '${target}' in '${target}'`); return null
    }
    if (a.kind === 'unix') { kind = 'unix'; path = a.path } else { kind = 'udp'; host = a.host === '' ? '0.0.0.0' : a.host; port = a.hasPort ? a.port : SYSLOG_PORT }
  }
  let maxLen = DEFAULT_LEN
  let format: LogTarget['format'] = 'rfc3164'
  let i = 0
  for (;;) {
    const w = rest[i]
    if (w === 'len') {
      const v = intArg(c, rest[i + 1], 'log len', 80, 65535)
      if (v === null) return null
      maxLen = v; i += 2
    } else if (w === 'format') {
      const f = rest[i + 1] ?? ''
      if (!FORMATS.has(f)) { alert(c, `log : unknown log format '${f}'`); return null }
      format = f as LogTarget['format']; i += 2
    } else if (w === 'sample') {
      if (rest[i + 1] === undefined) { alert(c, "log : 'sample' expects <ranges>:<size>"); return null }
      i += 2
    } else break
  }
  const facName = rest[i]
  if (facName === undefined) { alert(c, "log : missing facility in 'log' line."); return null }
  const facility = (FACILITIES as readonly string[]).indexOf(facName)
  if (facility < 0) { alert(c, `log : unknown log facility '${facName}'`); return null }
  const level = (w: string | undefined, dflt: number): number | null => {
    if (w === undefined) return dflt
    const l = (LEVELS as readonly string[]).indexOf(w)
    if (l < 0) { alert(c, `log : unknown optional log level '${w}'`); return null }
    return l
  }
  const maxLevel = level(rest[i + 1], 7)
  const minLevel = level(rest[i + 2], 0)
  if (maxLevel === null || minLevel === null) return null
  if (rest[i + 3] !== undefined) { alert(c, `log : unexpected argument '${rest[i + 3]}'`); return null }
  return { kind, host, port, path, maxLen, format, facility, maxLevel, minLevel, where: c.where }
}

/** `log ...` / `no log` in a proxy or defaults section. */
export function parseProxyLog (p: ProxyDraft, c: KwCtx, negate: boolean): void {
  if (negate) { p.logs = []; return }
  if (c.words[1] === 'global') {
    if (c.words[2] !== undefined) { alert(c, `'log global' cannot handle unexpected argument '${c.words[2]}'.`); return }
    const entry: LogDraft = { global: true, where: c.where }
    p.logs.push(entry)
    return
  }
  const t = parseLogTarget(c, c.words.slice(1))
  if (t !== null) p.logs.push(t)
}
