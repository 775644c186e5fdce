/** The `show stat` columns of HAProxy 2.6, in order (the CSV header is these
 *  names joined by commas, each followed by a comma, after "# "), and which of
 *  them HAProxy fills for each kind of row. A column not filled stays empty. */

export const STAT_FIELDS: readonly string[] = (
  'pxname,svname,qcur,qmax,scur,smax,slim,stot,bin,bout,dreq,dresp,ereq,econ,eresp,wretr,wredis,status,weight,' +
  'act,bck,chkfail,chkdown,lastchg,downtime,qlimit,pid,iid,sid,throttle,lbtot,tracked,type,rate,rate_lim,rate_max,' +
  'check_status,check_code,check_duration,hrsp_1xx,hrsp_2xx,hrsp_3xx,hrsp_4xx,hrsp_5xx,hrsp_other,hanafail,' +
  'req_rate,req_rate_max,req_tot,cli_abrt,srv_abrt,comp_in,comp_out,comp_byp,comp_rsp,lastsess,last_chk,last_agt,' +
  'qtime,ctime,rtime,ttime,agent_status,agent_code,agent_duration,check_desc,agent_desc,check_rise,check_fall,' +
  'check_health,agent_rise,agent_fall,agent_health,addr,cookie,mode,algo,conn_rate,conn_rate_max,conn_tot,' +
  'intercepted,dcon,dses,wrew,connect,reuse,cache_lookups,cache_hits,srv_icur,src_ilim,qtime_max,ctime_max,' +
  'rtime_max,ttime_max,eint,idle_conn_cur,safe_conn_cur,used_conn_cur,need_conn_est,uweight,agg_server_status,' +
  'agg_server_check_status,agg_check_status,-,ssl_sess,ssl_reused_sess,ssl_failed_handshake,h2_headers_rcvd,' +
  'h2_data_rcvd,h2_settings_rcvd,h2_rst_stream_rcvd,h2_goaway_rcvd,h2_detected_conn_protocol_errors,' +
  'h2_detected_strm_protocol_errors,h2_rst_stream_resp,h2_goaway_resp,h2_open_connections,h2_backend_open_streams,' +
  'h2_total_connections,h2_backend_total_streams,h1_open_connections,h1_open_streams,h1_total_connections,' +
  'h1_total_streams,h1_bytes_in,h1_bytes_out,h1_spliced_bytes_in,h1_spliced_bytes_out'
).split(',')

/** Exactly HAProxy 2.6's header line (without the line feed). */
export const STAT_HEADER = '# ' + STAT_FIELDS.map(f => f + ',').join('')

/** Column index by name; built once at load. */
export const FIELD_INDEX: ReadonlyMap<string, number> = new Map(STAT_FIELDS.map((f, i) => [f, i]))

const words = (s: string): string[] => s.split(' ')
const HRSP = 'hrsp_1xx hrsp_2xx hrsp_3xx hrsp_4xx hrsp_5xx hrsp_other'
const MUX = 'ssl_sess ssl_reused_sess ssl_failed_handshake h2_headers_rcvd h2_data_rcvd h2_settings_rcvd ' +
  'h2_rst_stream_rcvd h2_goaway_rcvd h2_detected_conn_protocol_errors h2_detected_strm_protocol_errors ' +
  'h2_rst_stream_resp h2_goaway_resp h2_open_connections h2_backend_open_streams h2_total_connections ' +
  'h2_backend_total_streams h1_open_connections h1_open_streams h1_total_connections h1_total_streams ' +
  'h1_bytes_in h1_bytes_out h1_spliced_bytes_in h1_spliced_bytes_out'
const COMP = 'comp_in comp_out comp_byp comp_rsp'

/** Columns HAProxy prints (as 0 unless we know better) for each row kind and mode. */
export interface FilledColumns { readonly tcp: readonly string[]; readonly http: readonly string[] }

const FRONTEND_TCP = words('pxname svname scur smax slim stot bin bout dreq dresp ereq status pid iid sid type rate ' +
  `rate_lim rate_max req_rate req_rate_max req_tot ${COMP} mode conn_rate conn_rate_max conn_tot dcon dses wrew eint - ${MUX}`)
export const FRONTEND_COLUMNS: FilledColumns = {
  tcp: FRONTEND_TCP,
  http: [...FRONTEND_TCP, ...words(`${HRSP} intercepted cache_lookups cache_hits`)]
}

const SERVER_TCP = words('pxname svname qcur qmax scur smax stot bin bout dresp econ eresp wretr wredis status weight ' +
  'act bck lastchg pid iid sid lbtot type rate rate_max cli_abrt srv_abrt lastsess qtime ctime rtime ttime addr mode ' +
  'wrew connect reuse srv_icur qtime_max ctime_max rtime_max ttime_max eint idle_conn_cur safe_conn_cur ' +
  'used_conn_cur need_conn_est uweight - ssl_sess ssl_reused_sess ssl_failed_handshake')
export const SERVER_COLUMNS: FilledColumns = { tcp: SERVER_TCP, http: [...SERVER_TCP, ...words(`${HRSP} req_tot`)] }
const BACKEND_TCP = words('pxname svname qcur qmax scur smax slim stot bin bout dreq dresp econ eresp wretr wredis status ' +
  `weight act bck chkdown lastchg downtime pid iid sid lbtot type rate rate_max cli_abrt srv_abrt ${COMP} lastsess ` +
  'qtime ctime rtime ttime mode algo wrew connect reuse qtime_max ctime_max rtime_max ttime_max eint uweight ' +
  `agg_server_status agg_server_check_status agg_check_status - ${MUX}`)
export const BACKEND_COLUMNS: FilledColumns = {
  tcp: BACKEND_TCP,
  http: [...BACKEND_TCP, ...words(`${HRSP} req_tot cache_lookups cache_hits`)]
}
