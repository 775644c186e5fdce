import { readFileSync } from 'node:fs'
import { isIP } from 'node:net'

/** Socket addresses as HAProxy writes them (str2sa_range): `ip:port`,
 *  `:port`, `*:port`, `[v6]:port`, `v6:port`, `ipv4@`/`ipv6@`/`tcp@`/`udp@`
 *  prefixes, `unix@/path`, `/abs/path`, `fd@N`, ranges `addr:p1-p2`.
 *  Host names are resolved once at config time (localhost and /etc/hosts). */

export type Address =
  | { readonly kind: 'tcp' | 'udp'; readonly host: string; readonly port: number; readonly portEnd: number; readonly hasPort: boolean }
  | { readonly kind: 'unix'; readonly path: string }
  | { readonly kind: 'fd'; readonly fd: number }

export interface AddressRules {
  /** transport when no prefix says otherwise */
  readonly stream: 'tcp' | 'udp'
  /** a port must be given (bind) */
  readonly portRequired: boolean
  readonly allowRange: boolean
  readonly allowUnix: boolean
  readonly allowFd: boolean
}

const PREFIX_KIND: Readonly<Record<string, 'tcp' | 'udp' | 'unix' | 'fd' | 'any'>> = {
  'ipv4@': 'any', 'ipv6@': 'any', 'tcp@': 'tcp', 'tcp4@': 'tcp', 'tcp6@': 'tcp',
  'udp@': 'udp', 'udp4@': 'udp', 'udp6@': 'udp', 'unix@': 'unix', 'fd@': 'fd'
}

export function parseAddress (text: string, rules: AddressRules): Address | { error: string } {
  let rest = text
  let kind: 'tcp' | 'udp' | 'unix' | 'fd' = rules.stream
  const at = text.indexOf('@')
  if (at > 0 && !text.startsWith('/')) {
    const prefix = text.slice(0, at + 1)
    const k = PREFIX_KIND[prefix]
    if (k === undefined) return { error: `invalid address: '${text}'` }
    if (k !== 'any') kind = k
    rest = text.slice(at + 1)
  } else if (text.startsWith('/')) kind = 'unix'
  if (kind === 'unix') {
    if (!rules.allowUnix) return { error: `unix sockets are not supported here: '${text}'` }
    if (rest === '') return { error: `missing path in '${text}'` }
    return { kind: 'unix', path: rest }
  }
  if (kind === 'fd') {
    if (!rules.allowFd || !/^\d+$/.test(rest)) return { error: `invalid file descriptor in '${text}'` }
    return { kind: 'fd', fd: Number(rest) }
  }
  let hostText: string
  let portText: string | null
  if (rest.startsWith('[')) {
    const close = rest.indexOf(']')
    if (close < 0) return { error: `invalid address: '${text}'` }
    hostText = rest.slice(1, close)
    const after = rest.slice(close + 1)
    if (after !== '' && !after.startsWith(':')) return { error: `invalid address: '${text}'` }
    portText = after === '' ? null : after.slice(1)
  } else {
    const colon = rest.lastIndexOf(':')
    if (colon < 0) { hostText = rest; portText = null } else { hostText = rest.slice(0, colon); portText = rest.slice(colon + 1) }
  }
  const host = hostText === '' || hostText === '*' ? '' : resolveHost(hostText)
  if (host === null) return { error: `could not resolve address '${hostText}'` }
  if (portText === null || portText === '') {
    if (rules.portRequired) return { error: `missing port number: '${text}'` }
    return { kind, host, port: 0, portEnd: 0, hasPort: false }
  }
  const m = /^(\d+)(?:-(\d+))?$/.exec(portText)
  if (m === null) return { error: `invalid port '${portText}'` }
  const port = Number(m[1])
  const portEnd = m[2] === undefined ? port : Number(m[2])
  if (m[2] !== undefined && !rules.allowRange) return { error: `port ranges are not allowed here: '${portText}'` }
  if (port > 65535 || portEnd > 65535 || portEnd < port) return { error: `invalid port '${portText}'` }
  if (rules.portRequired && port === 0) return { error: `invalid port '${portText}'` }
  return { kind, host, port, portEnd, hasPort: true }
}

const LOCAL_NAMES: Readonly<Record<string, string>> = {
  localhost: '127.0.0.1', localhost4: '127.0.0.1', localhost6: '::1', 'ip6-localhost': '::1', 'ip6-loopback': '::1'
}

let hostsCache: Map<string, string> | null = null

/** IP text for <name>: literal addresses as they are, local names and
 *  /etc/hosts entries resolved; null when unknown (no DNS at config time). */
export function resolveHost (name: string): string | null {
  if (isIP(name) !== 0) return name
  const local = LOCAL_NAMES[name.toLowerCase()]
  if (local !== undefined) return local
  hostsCache ??= readHosts()
  return hostsCache.get(name.toLowerCase()) ?? null
}

function readHosts (): Map<string, string> {
  const map = new Map<string, string>()
  let text = ''
  try { text = readFileSync('/etc/hosts', 'utf8') } catch { return map }
  for (const line of text.split('\n')) {
    const [ip, ...names] = line.replace(/#.*/, '').trim().split(/\s+/)
    if (ip === undefined || isIP(ip) === 0) continue
    for (const n of names) if (!map.has(n.toLowerCase())) map.set(n.toLowerCase(), ip)
  }
  return map
}
