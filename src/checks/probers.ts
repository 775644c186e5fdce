import type { ProberTable } from './types.ts'
import { tcpProbe } from './probes/tcp.ts'
import { httpProbe } from './probes/http.ts'
import { tcpCheckProbe } from './probes/tcp-check.ts'
import { redisProbe } from './probes/redis.ts'
import { mysqlProbe } from './probes/mysql.ts'
import { smtpProbe } from './probes/smtp.ts'
import { pgsqlProbe } from './probes/pgsql.ts'
import { ldapProbe } from './probes/ldap.ts'
import { sslHelloProbe } from './probes/ssl-hello.ts'

/** The probes shipped, by CheckPlan kind. */
export const defaultProbers: ProberTable = {
  tcp: tcpProbe,
  http: httpProbe,
  'tcp-check': tcpCheckProbe,
  redis: redisProbe,
  mysql: mysqlProbe,
  smtp: smtpProbe,
  pgsql: pgsqlProbe,
  ldap: ldapProbe,
  'ssl-hello': sslHelloProbe
}
