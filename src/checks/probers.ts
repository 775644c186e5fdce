import type { ProberTable } from './types.ts'
import { tcpProbe } from './probes/tcp.ts'
import { httpProbe } from './probes/http.ts'
import { tcpCheckProbe } from './probes/tcp-check.ts'
import { redisProbe } from './probes/redis.ts'
import { mysqlProbe } from './probes/mysql.ts'

/** The probes shipped, by CheckPlan kind. ssl-hello, smtp, pgsql and ldap are not
 *  implemented yet and run as plain connect checks (see HealthMonitor). */
export const defaultProbers: ProberTable = {
  tcp: tcpProbe,
  http: httpProbe,
  'tcp-check': tcpCheckProbe,
  redis: redisProbe,
  mysql: mysqlProbe
}
