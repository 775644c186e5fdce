import type { Generation } from '../proxy/engine.ts'
import type { BackendRuntime } from '../proxy/backend-runtime.ts'
import type { AdminState, ServerRuntime } from '../proxy/server-runtime.ts'
import { proxiesOf } from './proxies.ts'
import { forceAgentVerdict, forceServerHealth, setServerAdmin, type ForcedHealth } from './server-state.ts'

/** The stats page's admin actions (`stats admin if <cond>`), posted as
 *  `s=<srv>&…&action=<a>&b=<#iid|name>` and answered by a 303 to
 *  "<uri>;st=<code>" (HAProxy 2.6 stats_process_http_post). */

/** The 4-letter outcome codes carried by ";st=" (HAProxy stat_status_codes). */
export type StatsStatus = 'DENY' | 'DONE' | 'ERRP' | 'EXCD' | 'NONE' | 'PART' | 'UNKN' | 'IVAL'

/** One action on one server: true when it changed something (counts as altered). */
type ServerAction = (be: BackendRuntime, srv: ServerRuntime) => boolean

/** Sets the admin state; always counts as a change, as in HAProxy. */
const admin = (st: AdminState): ServerAction => (be, srv) => { setServerAdmin(be, srv, st); return true }

/** Forces the health seen by checks (health counter to its top or to 0). */
const forceHealth = (health: ForcedHealth): ServerAction => (be, srv) => { forceServerHealth(be, srv, health, 'Web interface'); return true }

/** Forces the agent's verdict (and the server's state); only while the agent runs. */
const forceAgent = (up: boolean): ServerAction => (be, srv) => forceAgentVerdict(be, srv, up, 'Web interface')

const checksOnOff = (on: boolean): ServerAction => (_be, srv) => {
  if (srv.checkControl === null) return false
  srv.checkControl.setCheckEnabled(on)
  return true
}

const agentOnOff = (on: boolean): ServerAction => (_be, srv) => {
  if (srv.checkControl === null || !srv.checkControl.hasAgent) return false
  srv.checkControl.setAgentEnabled(on)
  return true
}

/** Every action word of the form, and the older words HAProxy still accepts. */
const ACTIONS: ReadonlyMap<string, ServerAction> = new Map<string, ServerAction>([
  ['ready', admin('ready')],
  ['drain', admin('drain')],
  ['maint', admin('maint')],
  ['dhlth', checksOnOff(false)],
  ['ehlth', checksOnOff(true)],
  ['hrunn', forceHealth('up')],
  ['hnolb', forceHealth('nolb')],
  ['hdown', forceHealth('down')],
  ['dagent', agentOnOff(false)],
  ['eagent', agentOnOff(true)],
  ['arunn', forceAgent(true)],
  ['adown', forceAgent(false)],
  ['shutdown', (_be, srv) => { srv.shutdownStreams('K'); return true }],
  ['disable', (be, srv) => srv.admin !== 'maint' && (setServerAdmin(be, srv, 'maint'), true)],
  ['enable', (be, srv) => srv.admin === 'maint' && (setServerAdmin(be, srv, 'ready'), true)],
  ['stop', (be, srv) => srv.admin !== 'drain' && (setServerAdmin(be, srv, 'drain'), true)],
  ['start', (be, srv) => srv.admin === 'drain' && (setServerAdmin(be, srv, 'ready'), true)]
])

/** HAProxy's key buffer (LINESIZE): longer parameters are invalid. */
const MAX_PARAM = 2048

/** Form decoding ('+' is a space); null when a %-escape is broken. */
function formDecode (s: string): string | null {
  try { return decodeURIComponent(s.replace(/\+/g, ' ')) } catch { return null }
}

function backendNamed (gen: Generation, name: string): BackendRuntime | null {
  for (const p of proxiesOf(gen)) if (p.be !== null && (p.name === name || '#' + String(p.iid) === name)) return p.be
  return null
}

/** Applies the posted form <body> to <gen>'s servers and returns the outcome.
 *  As HAProxy, the parameters are read from the last to the first, the last
 *  "b" and "action" win, and servers named before both are known wait for them.
 *  WHY `stats scope` does not limit actions: HAProxy 2.6 does not either (later
 *  versions answer DENY). */
export function applyAdminPost (gen: Generation, body: string): StatsStatus {
  let be: BackendRuntime | null = null
  let action: ServerAction | null = null
  let total = 0
  let altered = 0
  const waiting: string[] = []
  // an unknown server counts against the total; one the action does not apply to is not counted
  const apply = (name: string): void => {
    const srv = be!.byName.get(name)
    if (srv === undefined) total++
    else if (action!(be!, srv)) { total++; altered++ }
  }
  const params = body.split('&')
  for (let i = params.length - 1; i >= 0; i--) {
    const raw = params[i]
    if (raw.length + 1 > MAX_PARAM) return 'ERRP'
    const eq = raw.indexOf('=')
    const key = formDecode(eq < 0 ? raw : raw.slice(0, eq))
    const value = formDecode(eq < 0 ? '' : raw.slice(eq + 1))
    if (key === null || value === null) break
    if (be === null && key === 'b') {
      be = backendNamed(gen, value)
      if (be === null) return 'ERRP'
    } else if (action === null && key === 'action') {
      action = ACTIONS.get(value) ?? null
      if (action === null) return 'ERRP'
    } else if (key === 's') {
      if (be !== null && action !== null) apply(value)
      else waiting.push(value)
    }
    if (be !== null && action !== null && waiting.length > 0) for (const name of waiting.splice(0)) apply(name)
  }
  if (total === 0) return 'NONE'
  if (altered === 0) return 'ERRP'
  return altered === total ? 'DONE' : 'PART'
}
