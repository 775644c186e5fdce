import { STAT_FIELDS } from './stat-fields.ts'
import type { StatRow } from './stat-csv.ts'

/** `show stat typed` and `show stat json` (HAProxy 2.6 stats_dump_fields_typed
 *  and stats_dump_json_info_fields): each filled column of each row with its
 *  position, name, tags (origin, nature, scope) and value type. Columns left
 *  out of the row are left out here too; the "-" separator column is never shown. */

/** Tags and type of each column, as HAProxy prints them in typed form:
 *  "<origin><nature><scope>:<type>". Backend rows differ on four columns. */
const TAGS = (
  'pxname:KNS:str svname:KNS:str qcur:MGP:u32 qmax:MMP:u32 scur:MGP:u32 smax:MMP:u32 slim:CLP:u32 stot:MCP:u64 ' +
  'bin:MCP:u64 bout:MCP:u64 dreq:MCP:u64 dresp:MCP:u64 ereq:MCP:u64 econ:MCP:u64 eresp:MCP:u64 wretr:MCP:u64 ' +
  'wredis:MCP:u64 status:SGP:str weight:MaP:u32 act:SGP:u32 bck:SGP:u32 chkfail:MCP:u64 chkdown:MCP:u64 ' +
  'lastchg:MAP:u32 downtime:MCP:u32 qlimit:CGS:u32 pid:KGP:u32 iid:KGS:u32 sid:KGS:u32 throttle:MaP:u32 ' +
  'lbtot:MCP:u64 tracked:CGS:str type:CGS:u32 rate:MRP:u32 rate_lim:CLP:u32 rate_max:MMP:u32 ' +
  'check_status:MOP:str check_code:MOP:u32 check_duration:MDP:u64 hrsp_1xx:MCP:u64 hrsp_2xx:MCP:u64 ' +
  'hrsp_3xx:MCP:u64 hrsp_4xx:MCP:u64 hrsp_5xx:MCP:u64 hrsp_other:MCP:u64 hanafail:MCP:u64 req_rate:MRP:u32 ' +
  'req_rate_max:MMP:u32 req_tot:MCP:u64 cli_abrt:MCP:u64 srv_abrt:MCP:u64 comp_in:MCP:u64 comp_out:MCP:u64 ' +
  'comp_byp:MCP:u64 comp_rsp:MCP:u64 lastsess:MAP:s32 last_chk:MOP:str last_agt:MOP:str qtime:MaP:u32 ' +
  'ctime:MaP:u32 rtime:MaP:u32 ttime:MaP:u32 agent_status:MOP:str agent_code:MOP:u32 agent_duration:MDP:u64 ' +
  'check_desc:MOP:str agent_desc:MOP:str check_rise:CGS:u32 check_fall:CGS:u32 check_health:CGS:u32 ' +
  'agent_rise:CGS:u32 agent_fall:CGS:u32 agent_health:CGS:u32 addr:CGS:str cookie:CGS:str mode:CGS:str ' +
  'algo:CGS:str conn_rate:MRP:u32 conn_rate_max:MMP:u32 conn_tot:MCP:u64 intercepted:MCP:u64 dcon:MCP:u64 ' +
  'dses:MCP:u64 wrew:MCP:u64 connect:MCP:u64 reuse:MCP:u64 cache_lookups:MCP:u64 cache_hits:MCP:u64 ' +
  'srv_icur:MGP:u32 src_ilim:CLP:u32 qtime_max:MMP:u32 ctime_max:MMP:u32 rtime_max:MMP:u32 ttime_max:MMP:u32 ' +
  'eint:MCP:u64 idle_conn_cur:MGP:u32 safe_conn_cur:MGP:u32 used_conn_cur:MGP:u32 need_conn_est:MGP:u32 ' +
  'uweight:MaP:u32 agg_server_status:MGP:u32 agg_server_check_status:MGP:u32 agg_check_status:MGP:u32'
).split(' ')
const BACKEND_TAGS = 'act:MGP:u32 bck:MGP:u32 rate:MGP:u32 rate_max:MGP:u32'.split(' ')

interface Tag { readonly code: string; readonly type: string }

/** Tag of every column (h1/h2/ssl multiplexer counters are all counters or gauges). */
function tagTable (extra: readonly string[]): readonly Tag[] {
  const byName = new Map<string, Tag>()
  for (const t of [...TAGS, ...extra]) {
    const [name, code, type] = t.split(':')
    byName.set(name, { code, type })
  }
  return STAT_FIELDS.map(f => byName.get(f) ?? { code: f.includes('_open_') ? 'MGP' : 'MCP', type: 'u64' })
}

const TAG_OF = tagTable([])
const BACKEND_TAG_OF = tagTable(BACKEND_TAGS)
const SEPARATOR = STAT_FIELDS.indexOf('-')

const ORIGIN: Record<string, string> = { K: 'Key', C: 'Config', M: 'Metric', S: 'Status' }
const NATURE: Record<string, string> = {
  N: 'Name', G: 'Gauge', M: 'Max', L: 'Limit', C: 'Counter', R: 'Rate', A: 'Age', a: 'Avg', O: 'Output', D: 'Duration'
}
const SCOPE: Record<string, string> = { P: 'Process', S: 'Service' }
const OBJ_TYPE = { F: 'Frontend', B: 'Backend', S: 'Server' } as const

/** Calls <each> for every column shown of <row> with its position, which
 *  HAProxy counts without the separator (module columns follow the main ones). */
function forShown (row: StatRow, each: (pos: number, name: string, tag: Tag, value: string) => void): void {
  const tags = row.kind === 'B' ? BACKEND_TAG_OF : TAG_OF
  row.v.forEach((value, i) => { if (value !== null && i !== SEPARATOR) each(i < SEPARATOR ? i : i - 1, STAT_FIELDS[i], tags[i], value) })
}

/** `show stat typed`: "F.<iid>.<sid>.<pos>.<name>.1:<tags>:<type>:<value>" lines. */
export function statTyped (rows: readonly StatRow[]): string {
  let out = ''
  for (const row of rows) {
    forShown(row, (pos, name, tag, value) => {
      out += `${row.kind}.${row.iid}.${row.sid}.${pos}.${name}.1:${tag.code}:${tag.type}:${value}\n`
    })
  }
  return out
}

/** `show stat json`: one array per row of {objType, proxyId, id, field, processNum, tags, value}. */
export function statJson (rows: readonly StatRow[]): string {
  const objects = rows.map(row => {
    const fields: string[] = []
    forShown(row, (pos, name, tag, value) => {
      fields.push(JSON.stringify({
        objType: OBJ_TYPE[row.kind],
        proxyId: row.iid,
        id: row.sid,
        field: { pos, name },
        processNum: 1,
        tags: { origin: ORIGIN[tag.code[0]], nature: NATURE[tag.code[1]], scope: SCOPE[tag.code[2]] },
        value: { type: tag.type, value: tag.type === 'str' ? value : Number(value) }
      }))
    })
    return '[' + fields.join(',') + ']'
  })
  return '[' + objects.join(',') + ']\n'
}
