/** The metrics of HAProxy 2.6's Prometheus exporter that pocketlb serves:
 *  name suffix, the `show stat` column (or `show info` field for the process)
 *  it is read from, and HAProxy's HELP text. Names ending in "_total" are
 *  counters, the others gauges. A few columns are special, see prometheus.ts:
 *  "status" and "check_status" become one sample per state label, "hrsp" one
 *  per response class; "_seconds" columns kept in ms are shown in seconds. */

export interface MetricDef {
  readonly name: string
  readonly source: string
  readonly help: string
  readonly type: 'counter' | 'gauge'
}

function table (rows: readonly (readonly [string, string, string])[]): readonly MetricDef[] {
  return rows.map(([suffix, source, help]) => ({ name: suffix, source, help, type: suffix.endsWith('_total') ? 'counter' : 'gauge' }))
}

export const PROCESS_METRICS = table([
  ['nbthread', 'Nbthread', 'Number of started threads (global.nbthread)'],
  ['nbproc', 'Nbproc', 'Number of started worker processes (historical, always 1)'],
  ['relative_process_id', 'Process_num', 'Relative worker process number (1)'],
  ['uptime_seconds', 'Uptime_sec', 'How long ago this worker process was started (seconds)'],
  ['pool_failures_total', 'PoolFailed', 'Number of failed pool allocations since this worker was started'],
  ['max_fds', 'Ulimit-n', 'Hard limit on the number of per-process file descriptors'],
  ['max_sockets', 'Maxsock', 'Hard limit on the number of per-process sockets'],
  ['max_connections', 'Maxconn', 'Hard limit on the number of per-process connections (configured or imposed by Ulimit-n)'],
  ['hard_max_connections', 'Hard_maxconn', 'Hard limit on the number of per-process connections (imposed by Memmax_MB or Ulimit-n)'],
  ['current_connections', 'CurrConns', 'Current number of connections on this worker process'],
  ['connections_total', 'CumConns', 'Total number of connections on this worker process since started'],
  ['requests_total', 'CumReq', 'Total number of requests on this worker process since started'],
  ['stopping', 'Stopping', '1 if the worker process is currently stopping, otherwise zero'],
  ['jobs', 'Jobs', 'Current number of active jobs on the current worker process (frontend connections, master connections, listeners)'],
  ['listeners', 'Listeners', 'Current number of active listeners on the current worker process'],
  ['bytes_out_total', 'TotalBytesOut', 'Total number of bytes emitted by current worker process since started'],
  ['max_memory_bytes', 'Memmax_bytes', 'Worker process\'s hard limit on memory usage in byes (-m on command line)'],
  ['pool_allocated_bytes', 'PoolAlloc_bytes', 'Amount of memory allocated in pools (in bytes)'],
  ['pool_used_bytes', 'PoolUsed_bytes', 'Amount of pool memory currently used (in bytes)'],
  ['start_time_seconds', 'Start_time_sec', 'Start time in seconds'],
])

/** Metrics read from `show stat` columns, by name suffix: each means the same
 *  for a frontend, a backend and a server (HAProxy's HELP text is shared). */
const STAT_METRICS: ReadonlyMap<string, readonly [string, string]> = new Map([
  ['current_sessions', ['scur', 'Number of current sessions on the frontend, backend or server']],
  ['max_sessions', ['smax', 'Highest value of current sessions encountered since process started']],
  ['limit_sessions', ['slim', 'Frontend/listener/server\'s maxconn, backend\'s fullconn']],
  ['sessions_total', ['stot', 'Total number of sessions since process started']],
  ['bytes_in_total', ['bin', 'Total number of request bytes since process started']],
  ['bytes_out_total', ['bout', 'Total number of response bytes since process started']],
  ['requests_denied_total', ['dreq', 'Total number of denied requests since process started']],
  ['responses_denied_total', ['dresp', 'Total number of denied responses since process started']],
  ['request_errors_total', ['ereq', 'Total number of invalid requests since process started']],
  ['status', ['status', 'Current status of the service, per state label value.']],
  ['limit_session_rate', ['rate_lim', 'Limit on the number of sessions accepted in a second (frontend only, \'rate-limit sessions\' setting)']],
  ['max_session_rate', ['rate_max', 'Highest value of sessions per second observed since the worker process started']],
  ['http_responses_total', ['hrsp', 'Total number of HTTP responses with status 100-199 returned by this object since the worker process started']],
  ['http_requests_rate_max', ['req_rate_max', 'Highest value of http requests observed since the worker process started']],
  ['http_requests_total', ['req_tot', 'Total number of HTTP requests processed by this object since the worker process started']],
  ['http_comp_bytes_in_total', ['comp_in', 'Total number of bytes submitted to the HTTP compressor for this object since the worker process started']],
  ['http_comp_bytes_out_total', ['comp_out', 'Total number of bytes emitted by the HTTP compressor for this object since the worker process started']],
  ['http_comp_bytes_bypassed_total', ['comp_byp', 'Total number of bytes that bypassed HTTP compression for this object since the worker process started (CPU/memory/bandwidth limitation)']],
  ['http_comp_responses_total', ['comp_rsp', 'Total number of HTTP responses that were compressed for this object since the worker process started']],
  ['connections_rate_max', ['conn_rate_max', 'Highest value of connections per second observed since the worker process started']],
  ['connections_total', ['conn_tot', 'Total number of new connections accepted on this frontend since the worker process started']],
  ['intercepted_requests_total', ['intercepted', 'Total number of HTTP requests intercepted on the frontend (redirects/stats/services) since the worker process started']],
  ['denied_connections_total', ['dcon', 'Total number of incoming connections blocked on a listener/frontend by a tcp-request connection rule since the worker process started']],
  ['denied_sessions_total', ['dses', 'Total number of incoming sessions blocked on a listener/frontend by a tcp-request connection rule since the worker process started']],
  ['failed_header_rewriting_total', ['wrew', 'Total number of failed HTTP header rewrites since the worker process started']],
  ['http_cache_lookups_total', ['cache_lookups', 'Total number of HTTP requests looked up in the cache on this frontend/backend since the worker process started']],
  ['http_cache_hits_total', ['cache_hits', 'Total number of HTTP requests not found in the cache on this frontend/backend since the worker process started']],
  ['internal_errors_total', ['eint', 'Total number of internal errors since process started']],
  ['current_queue', ['qcur', 'Number of current queued connections']],
  ['max_queue', ['qmax', 'Highest value of queued connections encountered since process started']],
  ['connection_errors_total', ['econ', 'Total number of failed connections to server since the worker process started']],
  ['response_errors_total', ['eresp', 'Total number of invalid responses since the worker process started']],
  ['retry_warnings_total', ['wretr', 'Total number of server connection retries since the worker process started']],
  ['redispatch_warnings_total', ['wredis', 'Total number of server redispatches due to connection failures since the worker process started']],
  ['weight', ['weight', 'Server\'s effective weight, or sum of active servers\' effective weights for a backend']],
  ['active_servers', ['act', 'Total number of active UP servers with a non-zero weight']],
  ['backup_servers', ['bck', 'Total number of backup UP servers with a non-zero weight']],
  ['check_up_down_total', ['chkdown', 'Total number of failed checks causing UP to DOWN server transitions, per server/backend, since the worker process started']],
  ['check_last_change_seconds', ['lastchg', 'How long ago the last server state changed, in seconds']],
  ['downtime_seconds_total', ['downtime', 'Total time spent in DOWN state, for server or backend']],
  ['loadbalanced_total', ['lbtot', 'Total number of requests routed by load balancing since the worker process started (ignores queue pop and stickiness)']],
  ['client_aborts_total', ['cli_abrt', 'Total number of requests or connections aborted by the client since the worker process started']],
  ['server_aborts_total', ['srv_abrt', 'Total number of requests or connections aborted by the server since the worker process started']],
  ['last_session_seconds', ['lastsess', 'How long ago some traffic was seen on this object on this worker process, in seconds']],
  ['queue_time_average_seconds', ['qtime', 'Avg. queue time for last 1024 successful connections.']],
  ['connect_time_average_seconds', ['ctime', 'Avg. connect time for last 1024 successful connections.']],
  ['response_time_average_seconds', ['rtime', 'Avg. response time for last 1024 successful connections.']],
  ['total_time_average_seconds', ['ttime', 'Avg. total time for last 1024 successful connections.']],
  ['connection_attempts_total', ['connect', 'Total number of outgoing connection attempts on this backend/server since the worker process started']],
  ['connection_reuses_total', ['reuse', 'Total number of reused connection on this backend/server since the worker process started']],
  ['max_queue_time_seconds', ['qtime_max', 'Maximum observed time spent in the queue']],
  ['max_connect_time_seconds', ['ctime_max', 'Maximum observed time spent waiting for a connection to complete']],
  ['max_response_time_seconds', ['rtime_max', 'Maximum observed time spent waiting for a server response']],
  ['max_total_time_seconds', ['ttime_max', 'Maximum observed total request+response time (request+queue+connect+response+processing)']],
  ['uweight', ['uweight', 'Server\'s user weight, or sum of active servers\' user weights for a backend']],
  ['check_failures_total', ['chkfail', 'Total number of failed individual health checks per server/backend, since the worker process started']],
  ['queue_limit', ['qlimit', 'Limit on the number of connections in queue, for servers only (maxqueue argument)']],
  ['current_throttle', ['throttle', 'Throttling ratio applied to a server\'s maxconn and weight during the slowstart period (0 to 100%)']],
  ['check_status', ['check_status', 'Status of last health check, per state label value.']],
  ['check_code', ['check_code', 'layer5-7 code, if available of the last health check.']],
  ['check_duration_seconds', ['check_duration', 'Total duration of the latest server health check, in seconds.']],
  ['idle_connections_current', ['srv_icur', 'Current number of idle connections available for reuse on this server']],
  ['idle_connections_limit', ['src_ilim', 'Limit on the number of available idle connections on this server (server \'pool_max_conn\' directive)']],
  ['unsafe_idle_connections_current', ['idle_conn_cur', 'Current number of unsafe idle connections']],
  ['safe_idle_connections_current', ['safe_conn_cur', 'Current number of safe idle connections']],
  ['used_connections_current', ['used_conn_cur', 'Current number of connections in use']],
  ['need_connections_current', ['need_conn_est', 'Estimated needed number of connections']]
])

/** The stat metrics <names> in HAProxy's order. */
function statTable (names: readonly string[]): readonly MetricDef[] {
  return table(names.map(n => {
    const d = STAT_METRICS.get(n)
    if (d === undefined) throw new Error(`no stat metric '${n}'`)
    return [n, d[0], d[1]] as const
  }))
}

export const FRONTEND_METRICS = statTable([
  'current_sessions', 'max_sessions', 'limit_sessions', 'sessions_total', 'bytes_in_total', 'bytes_out_total',
  'requests_denied_total', 'responses_denied_total', 'request_errors_total', 'status', 'limit_session_rate',
  'max_session_rate', 'http_responses_total', 'http_requests_rate_max', 'http_requests_total',
  'http_comp_bytes_in_total', 'http_comp_bytes_out_total', 'http_comp_bytes_bypassed_total',
  'http_comp_responses_total', 'connections_rate_max', 'connections_total', 'intercepted_requests_total',
  'denied_connections_total', 'denied_sessions_total', 'failed_header_rewriting_total', 'http_cache_lookups_total',
  'http_cache_hits_total', 'internal_errors_total'
])

export const BACKEND_METRICS = statTable([
  'current_queue', 'max_queue', 'current_sessions', 'max_sessions', 'limit_sessions', 'sessions_total',
  'bytes_in_total', 'bytes_out_total', 'requests_denied_total', 'responses_denied_total', 'connection_errors_total',
  'response_errors_total', 'retry_warnings_total', 'redispatch_warnings_total', 'status', 'weight',
  'active_servers', 'backup_servers', 'check_up_down_total', 'check_last_change_seconds', 'downtime_seconds_total',
  'loadbalanced_total', 'max_session_rate', 'http_responses_total', 'http_requests_total', 'client_aborts_total',
  'server_aborts_total', 'http_comp_bytes_in_total', 'http_comp_bytes_out_total', 'http_comp_bytes_bypassed_total',
  'http_comp_responses_total', 'last_session_seconds', 'queue_time_average_seconds', 'connect_time_average_seconds',
  'response_time_average_seconds', 'total_time_average_seconds', 'failed_header_rewriting_total',
  'connection_attempts_total', 'connection_reuses_total', 'http_cache_lookups_total', 'http_cache_hits_total',
  'max_queue_time_seconds', 'max_connect_time_seconds', 'max_response_time_seconds', 'max_total_time_seconds',
  'internal_errors_total', 'uweight'
])

export const SERVER_METRICS = statTable([
  'current_queue', 'max_queue', 'current_sessions', 'max_sessions', 'limit_sessions', 'sessions_total',
  'bytes_in_total', 'bytes_out_total', 'responses_denied_total', 'connection_errors_total', 'response_errors_total',
  'retry_warnings_total', 'redispatch_warnings_total', 'status', 'weight', 'check_failures_total',
  'check_up_down_total', 'check_last_change_seconds', 'downtime_seconds_total', 'queue_limit', 'current_throttle',
  'loadbalanced_total', 'max_session_rate', 'check_status', 'check_code', 'check_duration_seconds',
  'http_responses_total', 'client_aborts_total', 'server_aborts_total', 'last_session_seconds',
  'queue_time_average_seconds', 'connect_time_average_seconds', 'response_time_average_seconds',
  'total_time_average_seconds', 'failed_header_rewriting_total', 'connection_attempts_total',
  'connection_reuses_total', 'idle_connections_current', 'idle_connections_limit', 'max_queue_time_seconds',
  'max_connect_time_seconds', 'max_response_time_seconds', 'max_total_time_seconds', 'internal_errors_total',
  'unsafe_idle_connections_current', 'safe_idle_connections_current', 'used_connections_current',
  'need_connections_current', 'uweight'
])
