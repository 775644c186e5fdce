import type { FrontendPlan, GlobalPlan } from '../config/plan.ts'
import type { LogRecord } from '../log/types.ts'
import { Level } from '../log/types.ts'
import type { StreamView } from '../core/stream-view.ts'
import { compileLogFormat, type LogLineWriter } from '../log/format.ts'
import { LogSink } from '../log/sink.ts'
import { compileSampleExpr } from '../rules/compile.ts'
import type { AccessLogger } from './frontend-runtime.ts'

/** Builds the access logger of <fe> from its compiled `log` targets and log
 *  format, or null when the frontend logs nothing (no target, or none that
 *  takes the levels access logs go at). Lines go out at "info";
 *  with `option log-separate-errors`, failed streams go at "err" (HAProxy). */
export function createAccessLogger (fe: FrontendPlan, global: GlobalPlan): { logger: AccessLogger; sink: LogSink } | null {
  const separate = fe.logSeparateErrors
  // targets capped below both levels (the tuning profile's log level): no line, no record built per request
  if (!fe.logs.some(t => t.maxLevel >= Level.info || (separate && t.maxLevel >= Level.err))) return null
  const write: LogLineWriter = compileLogFormat(fe.logFormat ?? 'default', {
    mode: fe.mode,
    hostname: global.logSendHostname ?? '',
    compileSample: (expr) => compileSampleExpr(expr, { acls: new Map(), baseDir: '.', phase: 16, warn: () => {} })
  })
  const sink = new LogSink(fe.logs, { tag: global.logTag, hostname: global.logSendHostname })
  const logger: AccessLogger = {
    emit (rec: LogRecord, view: StreamView): void {
      const failed = rec.termState.charCodeAt(0) !== 45 /* - */ || rec.status >= 500
      const level = separate && failed ? Level.err : Level.info
      if (!sink.wants(level)) return
      sink.send(level, write(rec, view))
    }
  }
  return { logger, sink }
}
