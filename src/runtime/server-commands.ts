import type { BackendRuntime } from '../proxy/backend-runtime.ts'
import type { ServerRuntime } from '../proxy/server-runtime.ts'
import { forceAgentVerdict, forceServerHealth, setServerAdmin } from './server-state.ts'
import type { CliSession, CommandHandler } from './cli-context.ts'
import { findServer } from './proxies.ts'
import { setAgentAddr, setAgentPort, setAgentSend, setCheckAddr, setCheckPort, setServerAddr } from './server-addr-commands.ts'

/** `set server` subcommands that move the server, its checks or its agent */
const TARGET_COMMANDS: ReadonlyMap<string, (srv: ServerRuntime, args: readonly string[]) => string> = new Map([
  ['addr', setServerAddr],
  ['check-addr', setCheckAddr],
  ['check-port', setCheckPort],
  ['agent-addr', setAgentAddr],
  ['agent-port', setAgentPort],
  ['agent-send', setAgentSend]
])

/** Server commands of the runtime API; answers and error texts are HAProxy 2.6's. */

/** Algorithms whose weights are fixed once the farm is built (HAProxy: no BE_LB_PROP_DYN). */
function staticWeights (be: BackendRuntime): boolean {
  const b = be.plan.balance.algo
  if (b === 'static-rr') return true
  const hashed = b === 'source' || b === 'uri' || b === 'url_param' || b === 'hdr' || b === 'rdp-cookie'
  return hashed && be.plan.hashType.method === 'map-based'
}

/** Parses <text> as HAProxy's weight change request for <srv> (absolute or
 *  "<n>%" of the initial weight); returns the new weight or an error text. */
function parseWeight (be: BackendRuntime, srv: ServerRuntime, text: string | undefined): number | string {
  if (text === undefined || text === '') return 'Require <weight> or <weight%>.\n'
  const m = /^[ \t]*([-+]?\d+)(.*)$/.exec(text)
  if (m === null) return 'Empty weight string empty or preceded by garbage'
  let w = Number(m[1])
  const rest = m[2]
  if (rest === '%') {
    if (w < 0) return 'Relative weight must be positive.\n'
    w = Math.min(256, Math.floor(srv.plan.weight * Math.min(w, 25600) / 100))
  } else if (w < 0 || w > 256) {
    return 'Absolute weight can only be between 0 and 256 inclusive.\n'
  } else if (rest !== '') {
    return 'Trailing garbage in weight string'
  }
  if (w !== 0 && w !== srv.plan.weight && staticWeights(be)) {
    return "Backend is using a static LB algorithm and only accepts weights '0%' and '100%'.\n"
  }
  return w
}

function withServer (arg: string | undefined, s: CliSession, run: (be: BackendRuntime, srv: ServerRuntime) => string): string {
  const f = findServer(s.engine.current, arg)
  return f.ok ? run(f.be, f.srv) : f.err
}

/** `enable server <b>/<s>`: leaves maintenance. */
export function enableServer (args: readonly string[], s: CliSession): string {
  return withServer(args[2], s, (be, srv) => { if (srv.admin === 'maint') setServerAdmin(be, srv, 'ready'); return '' })
}

/** `disable server <b>/<s>`: enters maintenance. */
export function disableServer (args: readonly string[], s: CliSession): string {
  return withServer(args[2], s, (be, srv) => { setServerAdmin(be, srv, 'maint'); return '' })
}

/** `get weight <b>/<s>` */
export function getWeight (args: readonly string[], s: CliSession): string {
  return withServer(args[2], s, (_be, srv) => `${srv.userWeight} (initial ${srv.plan.weight})\n`)
}

/** `set weight <b>/<s> <w>[%]` */
export function setWeight (args: readonly string[], s: CliSession): string {
  return withServer(args[2], s, (be, srv) => applyWeight(be, srv, args[3]))
}

function applyWeight (be: BackendRuntime, srv: ServerRuntime, text: string | undefined): string {
  const w = parseWeight(be, srv, text)
  if (typeof w === 'string') return w
  be.setWeight(srv, w)
  return ''
}

const SET_SERVER_USAGE = 'usage: set server <backend>/<server> addr | agent | agent-addr | agent-port | agent-send | ' +
  'check-addr | check-port | fqdn | health | ssl | state | weight\n'

/** `set server <b>/<s> state ready|drain|maint | weight <w> | health up|stopping|down |
 *  agent up|down | addr|check-addr|agent-addr <ip> [port <p>] | check-port|agent-port <p> |
 *  agent-send <text>`; fqdn and ssl are refused with HAProxy's words */
export function setServer (args: readonly string[], s: CliSession): string {
  return withServer(args[2], s, (be, srv) => {
    const v = args[4]
    switch (args[3]) {
      case 'state':
        if (v === 'ready' || v === 'drain' || v === 'maint') { setServerAdmin(be, srv, v); return '' }
        return "'set server <srv> state' expects 'ready', 'drain' and 'maint'.\n"
      case 'weight':
        return applyWeight(be, srv, v)
      case 'health':
        if (v === 'up' || v === 'down' || v === 'stopping') { forceServerHealth(be, srv, v === 'stopping' ? 'nolb' : v, 'CLI'); return '' }
        return "'set server <srv> health' expects 'up', 'stopping', or 'down'.\n"
      case 'agent':
        if (srv.checkControl?.agentEnabled() !== true) return 'agent checks are not enabled on this server.\n'
        if (v === 'up' || v === 'down') { forceAgentVerdict(be, srv, v === 'up', 'CLI'); return '' }
        return "'set server <srv> agent' expects 'up' or 'down'.\n"
      case 'fqdn':
        // pocketlb has no resolvers section
        return 'set server <b>/<s> fqdn failed because no resolution is configured.\n'
      case 'ssl':
        return "'set server <srv> ssl' cannot be set.  default-server should define ssl settings\n"
      default: {
        const move = TARGET_COMMANDS.get(args[3] ?? '')
        return move === undefined ? SET_SERVER_USAGE : move(srv, args)
      }
    }
  })
}

/** `shutdown sessions server <b>/<s>`: every stream on the server is cut (logged "K"). */
export function shutdownSessionsServer (args: readonly string[], s: CliSession): string {
  return withServer(args[3], s, (_be, srv) => { srv.shutdownStreams('K'); return '' })
}

/** `enable|disable health|agent <b>/<s>`: starts or stops the health checks or the
 *  agent; disabling what is not configured says nothing, enabling it is refused. */
export function checkSwitch (what: 'health' | 'agent', on: boolean): CommandHandler {
  return (args, s) => withServer(args[2], s, (_be, srv) => {
    const c = srv.checkControl
    const configured = c !== null && (what === 'health' || c.hasAgent)
    if (!configured) return on ? `${what === 'health' ? 'Health check' : 'Agent'} was not configured on this server, cannot enable.\n` : ''
    if (what === 'health') c.setCheckEnabled(on)
    else c.setAgentEnabled(on)
    return ''
  })
}

/** `set maxconn server <b>/<s> <n>` */
export function setMaxconnServer (args: readonly string[], s: CliSession): string {
  return withServer(args[3], s, (be, srv) => {
    const t = args[4] ?? ''
    if (!/^\d+$/.test(t)) return 'Integer value expected.\n'
    srv.maxconn = Number(t)
    // room may have appeared for waiting streams
    be.drainQueue()
    return ''
  })
}
