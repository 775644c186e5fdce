import type { ServerRuntime } from '../proxy/server-runtime.ts'
import type { CheckOutcome, CheckStatusCode, CheckView } from '../checks/types.ts'
import { CHECK_STATUSES } from '../checks/status.ts'
import type { CliSession } from './cli-context.ts'
import { proxiesOf, proxyIid } from './proxies.ts'
import { statCsv, statRows, type StatFilter } from './stat-csv.ts'
import { statTyped, statJson } from './stat-typed.ts'
import { showInfo } from './show-info.ts'

/** Read-only `show ...` commands of the runtime API (HAProxy 2.6 formats). */

export function showInfoCommand (_args: readonly string[], s: CliSession): string { return showInfo(s.engine) }

/** `show stat [<iid> <type> <sid>] [up|no-maint]` */
export function showStat (args: readonly string[], s: CliSession): string {
  const rest = args.slice(2)
  let up = false
  let noMaint = false
  let format: 'csv' | 'typed' | 'json' = 'csv'
  const nums: number[] = []
  for (const a of rest) {
    if (a === 'up') up = true
    else if (a === 'no-maint') noMaint = true
    else if (a === 'typed' || a === 'json') format = a
    else if (a === 'desc') return `'show stat ${a}' is not supported.\n`
    else if (/^-?\d+$/.test(a)) nums.push(Number(a))
  }
  if (nums.length !== 0 && nums.length !== 3) return 'Require a proxy id, a type and a server id\n'
  const f: StatFilter = nums.length === 3
    ? { iid: nums[0], types: nums[1], sid: nums[2], onlyUp: up, noMaint }
    : { iid: -1, types: -1, sid: -1, onlyUp: up, noMaint }
  if (format === 'csv') return statCsv(s.engine.current, f)
  const rows = statRows(s.engine.current, f)
  return format === 'typed' ? statTyped(rows) : statJson(rows)
}

/** `show backend` */
export function showBackend (_args: readonly string[], s: CliSession): string {
  let out = '# name\n'
  for (const px of proxiesOf(s.engine.current)) if (px.be !== null) out += px.name + '\n'
  return out
}

const SERVERS_STATE_HEADER = '1\n# be_id be_name srv_id srv_name srv_addr srv_op_state srv_admin_state srv_uweight ' +
  'srv_iweight srv_time_since_last_change srv_check_status srv_check_result srv_check_health srv_check_state ' +
  'srv_agent_state bk_f_forced_id srv_f_forced_id srv_fqdn srv_port srvrecord srv_use_ssl srv_check_port ' +
  'srv_check_addr srv_agent_addr srv_agent_port\n'

/** HAProxy's enum healthcheck_status values, as `show servers state` prints them. */
const STATUS_NUMBER: Readonly<Record<CheckStatusCode, number>> = {
  UNK: 0, INI: 1, CHECKED: 3, SOCKERR: 5, L4OK: 6, L4TOUT: 7, L4CON: 8, L6OK: 9, L6TOUT: 10, L6RSP: 11,
  L7TOUT: 12, L7RSP: 13, L7OK: 14, L7OKC: 15, L7STS: 16
}

/** HAProxy's check result (CHK_RES_*) after a status; 0 before any result. */
const RESULT_NUMBER: Readonly<Record<CheckOutcome, number>> = { neutral: 1, failed: 2, passed: 3, condpass: 4 }

/** CHK_ST_* flags of a check: configured, enabled, paused, agent. */
const ST_CONFIGURED = 0x2
const ST_ENABLED = 0x4
const ST_PAUSED = 0x8
const ST_AGENT = 0x10

/** The check columns (status, result, health, state, agent state) of <srv>. */
function checkFields (srv: ServerRuntime, view: CheckView | null): number[] {
  if (view === null) return [1, 0, srv.uncheckedHealth, srv.plan.disabled ? ST_PAUSED : 0, 0]
  const st = view.lastStatus
  const result = st === 'INI' || st === 'UNK' ? 0 : RESULT_NUMBER[CHECK_STATUSES[st].outcome]
  const state = ST_CONFIGURED | (view.enabled ? ST_ENABLED : 0) | (view.paused ? ST_PAUSED : 0)
  const agent = view.agent === null ? 0 : ST_AGENT | ST_CONFIGURED | (srv.checkControl?.agentEnabled() === true ? ST_ENABLED : 0)
  return [STATUS_NUMBER[st], result, view.health, state, agent]
}

/** One line of `show servers state` (HAProxy's numeric states and flags:
 *  op 0 stopped / 2 running / 3 stopping (NOLB); admin 1 forced maint, 4 maint
 *  from config, 8 drain). */
function serverStateLine (beIid: number, beName: string, srv: ServerRuntime): string {
  const p = srv.plan
  const ck = p.check
  const admin = (p.disabled ? 4 : 0) | (srv.admin === 'maint' ? 1 : 0) | (srv.admin === 'drain' ? 8 : 0)
  const since = Math.max(0, Math.floor((Date.now() - srv.lastChange) / 1000))
  const op = !srv.usable ? 0 : srv.nolb ? 3 : 2
  const view = srv.checkView?.() ?? null
  const checkAddr = view?.checkAddr ?? ck.addr
  const orDash = (a: string): string => a === '' ? '-' : a
  return [beIid, beName, srv.id, srv.name, p.unixPath !== '' ? '-' : srv.host, op, admin,
    srv.userWeight, p.weight, since, ...checkFields(srv, view), 0, 0, '-', srv.port, '-', p.ssl ? 1 : 0, view?.checkPort ?? ck.port,
    // HAProxy's `addr` and `port` server keywords set the agent's address and (unless agent-port) port too
    orDash(checkAddr), orDash(view?.agentAddr ?? ck.addr), view?.agentPort ?? (ck.agent?.port || ck.port)].join(' ') + '\n'
}

/** `show servers state [<backend>]` */
export function showServersState (args: readonly string[], s: CliSession): string {
  const gen = s.engine.current
  const only = args[3]
  if (only !== undefined && !gen.backends.has(only)) return "Can't find backend.\n"
  let out = SERVERS_STATE_HEADER
  for (const px of proxiesOf(gen)) {
    if (px.be === null || (only !== undefined && px.name !== only)) continue
    for (const srv of px.be.servers) out += serverStateLine(proxyIid(gen.plan, px.be.plan.id), px.name, srv)
  }
  return out
}

/** `show sess`: a summary per frontend (streams are not listed one by one). */
export function showSess (_args: readonly string[], s: CliSession): string {
  const p = s.engine.process
  let out = `# actconn=${p.actconn} cum_conns=${p.totalConns} cum_req=${p.totalReqs}\n`
  for (const fe of s.engine.current.frontends) out += `fe=${fe.plan.name} cur=${fe.cur} max=${fe.maxCur} tot=${fe.total}\n`
  return out
}
