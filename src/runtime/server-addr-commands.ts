import { isIPv4, isIPv6, SocketAddress } from 'node:net'
import type { ServerRuntime } from '../proxy/server-runtime.ts'
import type { CheckControl } from '../checks/types.ts'

/** Moving a server, its checks or its agent at run time: `set server <b>/<s> addr |
 *  check-addr | check-port | agent-addr | agent-port | agent-send`. Answers and error texts are HAProxy 2.6's (found by
 *  running it); a text without a final "\n" is one of its short errors, which its
 *  CLI ends with a single "\n". */

/** what HAProxy appends to the report of an address change made from the CLI */
const BY_CLI = " by 'stats socket command'\n"

/** An IP literal as HAProxy's runtime API takes it (no name resolution; IPv6
 *  possibly in brackets), in canonical form; null when it is none. */
function ipLiteral (text: string): string | null {
  const t = text.startsWith('[') && text.endsWith(']') ? text.slice(1, -1) : text
  if (isIPv4(t)) return t
  return isIPv6(t) ? new SocketAddress({ address: t, family: 'ipv6' }).address : null
}

/** A check port as `check-port` and `check-addr … port` take it: a number or an error text. */
function checkPortValue (text: string): number | string {
  if (!/^-?\d+$/.test(text)) return 'provided port is not an integer'
  const n = Number(text)
  return n < 0 || n > 65535 ? 'provided port is invalid' : n
}

/** What `set server … addr <ip> port <text>` does to the port: HAProxy reads it
 *  as strtol would (leading digits; a sign makes it a port map, only on a server
 *  already mapping ports) and keeps 16 bits. */
function portChange (srv: ServerRuntime, text: string): { say: string; port: number; map: boolean } {
  const keep = { port: srv.port, map: srv.mapPorts }
  const m = /^\s*([+-]?)(\d+)/.exec(text)
  if (m === null || m[2].length > 18) return { say: `problem converting port '${text}' to an int`, ...keep }
  const sign = m[1]
  if (sign !== '' && !srv.mapPorts) {
    return { say: "can't change <port> to port map because it is incompatible with current health check port configuration (use 'port' statement from the 'server' directive.", ...keep }
  }
  const n = Number(BigInt(m[2]) % 65536n)
  const port = sign === '-' ? (65536 - n) & 0xffff : n
  if (port === srv.port) return { say: 'no need to change the port', ...keep }
  const from = (srv.mapPorts ? '+' : '') + String(srv.port)
  return { say: `port changed from '${from}' to '${sign}${sign === '-' ? m[2] : n}'`, port, map: sign !== '' }
}

/** `set server <b>/<s> addr <ip> [port <port>]`: new connections and the checks
 *  without their own address go there; established connections stay. */
export function setServerAddr (srv: ServerRuntime, args: readonly string[]): string {
  const text = args[4]
  if (text === undefined || text === '') return 'set server <b>/<s> addr requires an address and optionally a port.\n'
  if (srv.plan.unixPath !== '') return 'Update for the current server address family is only supported through configuration file' + BY_CLI
  const ip = ipLiteral(text)
  if (ip === null) return `Invalid addr '${text}'` + BY_CLI
  const current = ipLiteral(srv.host) ?? srv.host
  const said = [ip === current ? 'no need to change the addr' : `IP changed from '${current}' to '${text}'`]
  let to = { port: srv.port, map: srv.mapPorts }
  if (args[5] === 'port') {
    const p = portChange(srv, args[6] ?? '')
    said.push(p.say)
    to = p
  }
  srv.moveTo(ip, to.port, to.map)
  return said.join(', ') + BY_CLI
}

/** What `set server … check-*` and `agent-*` change: the health checks' or the agent's target. */
type Prober = 'check' | 'agent'
const SET_ADDR: Readonly<Record<Prober, (c: CheckControl, ip: string) => void>> = {
  check: (c, ip) => { c.setCheckAddr(ip) },
  agent: (c, ip) => { c.setAgentAddr(ip) }
}
const SET_PORT: Readonly<Record<Prober, (c: CheckControl, port: number) => void>> = {
  check: (c, port) => { c.setCheckPort(port) },
  agent: (c, port) => { c.setAgentPort(port) }
}

/** The checks a `set server … <p>-*` command changes, and its argument; or the
 *  answer when there is nothing to change: no argument (<usage>), no checks
 *  (no agent for <p> agent). */
function checksToSet (srv: ServerRuntime, args: readonly string[], usage: string, p: Prober): { c: CheckControl; text: string } | string {
  const text = args[4]
  if (text === undefined || text === '') return usage
  const c = srv.checkControl
  if (c === null || (p === 'agent' && !c.hasAgent)) return `${p === 'agent' ? 'agent' : 'health'} checks are not enabled on this server`
  return { c, text }
}

type ServerCommand = (srv: ServerRuntime, args: readonly string[]) => string

/** `set server <b>/<s> check-port|agent-port <port>`: the checks (the agent) go to <port> (0: the server's). */
function portCommand (p: Prober): ServerCommand {
  const usage = `set server <b>/<s> ${p}-port requires a port.\n`
  return (srv, args) => {
    const t = checksToSet(srv, args, usage, p)
    if (typeof t === 'string') return t
    const port = checkPortValue(t.text)
    if (typeof port === 'string') return port
    SET_PORT[p](t.c, port)
    return ''
  }
}

/** `set server <b>/<s> check-addr|agent-addr <ip> [port <port>]`: the checks (the agent) go to <ip>. */
function addrCommand (p: Prober): ServerCommand {
  const usage = `set server <b>/<s> ${p}-addr requires an address and optionally a port.\n`
  return (srv, args) => {
    const t = checksToSet(srv, args, usage, p)
    if (typeof t === 'string') return t
    const ip = ipLiteral(t.text)
    if (ip === null) return `invalid addr '${t.text}'`
    const port = args[5] === 'port' ? checkPortValue(args[6] ?? '') : -1
    if (typeof port === 'string') return port
    SET_ADDR[p](t.c, ip)
    if (port >= 0) SET_PORT[p](t.c, port)
    return ''
  }
}

export const setCheckPort = portCommand('check')
export const setCheckAddr = addrCommand('check')
export const setAgentPort = portCommand('agent')
export const setAgentAddr = addrCommand('agent')

/** `set server <b>/<s> agent-send <text>`: what the agent is sent (none without <text>). */
export function setAgentSend (srv: ServerRuntime, args: readonly string[]): string {
  const c = srv.checkControl
  if (c === null || !c.hasAgent) return 'agent checks are not enabled on this server.\n'
  c.setAgentSend(args[4] ?? '')
  return ''
}
