import type { ServerRuntime } from '../proxy/server-runtime.ts'
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

/** One line of `show servers state` (HAProxy's numeric states and flags:
 *  op 0 stopped / 2 running; admin 1 forced maint, 4 maint from config, 8 drain;
 *  check status 1 none / 6 L4OK / 8 failed; check state 6 enabled, 8 paused). */
function serverStateLine (beIid: number, beName: string, srv: ServerRuntime): string {
  const p = srv.plan
  const ck = p.check
  const admin = (p.disabled ? 4 : 0) | (srv.admin === 'maint' ? 1 : 0) | (srv.admin === 'drain' ? 8 : 0)
  const since = Math.max(0, Math.floor((Date.now() - srv.lastChange) / 1000))
  const check = ck.enabled
    ? [srv.checkUp ? 6 : 8, srv.checkUp ? 3 : 2, srv.checkUp ? ck.rise + ck.fall - 1 : 0, 6]
    : [1, 0, srv.usable ? ck.rise : 0, p.disabled ? 8 : 0]
  return [beIid, beName, srv.id, srv.name, p.unixPath !== '' ? p.unixPath : p.host, srv.usable ? 2 : 0, admin,
    srv.userWeight, p.weight, since, ...check, 0, 0, 0, '-', p.port, '-', p.ssl ? 1 : 0, ck.port,
    ck.addr === '' ? '-' : ck.addr, '-', ck.agent?.port ?? 0].join(' ') + '\n'
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
