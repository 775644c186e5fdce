import type { LogRecord } from '../../../src/log/types.ts'

/** 2026-11-21T05:45:42.985Z: the accept date used by the log unit tests */
export const ACCEPT_MS = Date.UTC(2026, 10, 21, 5, 45, 42, 985)

/** A complete record of a served HTTP request; tests override fields. */
export function sampleRecord (over: Partial<LogRecord> = {}): LogRecord {
  return {
    clientIp: '127.0.0.1', clientPort: 40428, frontendIp: '127.0.0.1', frontendPort: 41581,
    acceptDate: ACCEPT_MS, requestDate: ACCEPT_MS, feName: 'fe', feSsl: false,
    beName: 'bk', srvName: 's1', serverIp: '127.0.0.1', serverPort: 41580,
    TR: 0, Tw: 0, Tc: 0, Tr: 4, Ta: 4, Tt: 4, Th: 0, Ti: 0,
    status: 200, bytesOut: 114, bytesIn: 111, capturedReqCookie: '-', capturedResCookie: '-',
    termState: '----', actconn: 1, feconn: 1, beconn: 0, srvconn: 0, retries: 0, redispatched: false,
    srvQueue: 0, beQueue: 0, reqCaptures: ['127.0.0.1:41581', 'curl/long-'], resCaptures: ['abc'],
    requestLine: 'GET /a?b=c HTTP/1.1', method: 'GET', uri: '/a?b=c', httpVersion: 'HTTP/1.1', uniqueId: '',
    ...over
  }
}
