/** Access-log formats compiled at config time (HAProxy 2.6 sess_build_logline).
 *  compileLogFormat() turns "httplog", "tcplog", "clf", "default" or a custom
 *  log-format string into one function that writes a line from a LogRecord:
 *  a loop over prebuilt nodes, one string concatenation per field, no parsing
 *  and no closures created per line. Separators follow HAProxy: a run of
 *  spaces prints one space, and none right after another separator whose
 *  following fields printed nothing (so absent %hr/%hs leave one space). */
import type { LogRecord } from './types.ts'
import type { StreamView } from '../core/stream-view.ts'
import type { SampleExpr } from '../rules/types.ts'
import { LogOpt, LogFormatError, parseLogFormat } from './format-parse.ts'
import type { FormatNode } from './format-parse.ts'
import { FIELDS } from './format-fields.ts'
import { backslashEscape } from './escape.ts'
import type { FieldEnv, FieldWriter } from './format-fields.ts'

export { LogFormatError } from './format-parse.ts'

/** HAProxy 2.6 built-in formats (log.c) */
export const HTTPLOG_FORMAT = '%ci:%cp [%tr] %ft %b/%s %TR/%Tw/%Tc/%Tr/%Ta %ST %B %CC %CS %tsc %ac/%fc/%bc/%sc/%rc %sq/%bq %hr %hs %{+Q}r'
export const TCPLOG_FORMAT = '%ci:%cp [%t] %ft %b/%s %Tw/%Tc/%Tt %B %ts %ac/%fc/%bc/%sc/%rc %sq/%bq'
export const CLF_FORMAT = '%{+Q}o %{-Q}ci - - [%trg] %r %ST %B "" "" %cp %ms %ft %b %s %TR %Tw %Tc %Tr %Ta %tsc %ac %fc %bc %sc %rc %sq %bq %CC %CS %hrl %hsl'
/** The line HAProxy logs at accept time when a proxy has `log` but no log format option */
const CONNECT_FORMAT = { http: 'Connect from %ci:%cp to %fi:%fp (%f/HTTP)', tcp: 'Connect from %ci:%cp to %fi:%fp (%f/TCP)' }

export interface LogFormatOptions {
  /** proxy mode: picks the "default" connect line and the meaning of %Td (default http) */
  mode?: 'http' | 'tcp'
  /** %H: the host name (default "", printed "-") */
  hostname?: string
  /** %pid (default process.pid) */
  pid?: number
  /** compiles the <expr> of %[expr] (rules/compile.ts); without it %[...] is a config error */
  compileSample?: (expr: string) => SampleExpr
}

export type LogLineWriter = (rec: LogRecord, view?: StreamView) => string

const KIND_TEXT = 0
const KIND_SEP = 1
const KIND_FIELD = 2

/** One compiled node; every node has the same shape (one hidden class). */
interface Step {
  readonly kind: number
  readonly text: string
  readonly write: FieldWriter | null
}

function sampleWriter (expr: SampleExpr, opts: number): FieldWriter {
  const quote = (opts & LogOpt.quote) !== 0
  const esc = (opts & LogOpt.escape) !== 0
  // absent sample (undefined, or no stream view) → "-" or "" like HAProxy; bool → 1/0
  return (_rec, view) => {
    const v = view === undefined ? undefined : expr(view)
    const t = v === undefined ? '' : typeof v === 'boolean' ? (v ? '1' : '0') : String(v)
    if (t === '') return quote ? '""' : '-'
    const e = esc ? backslashEscape(t) : t
    return quote ? '"' + e + '"' : e
  }
}

function compileStep (node: FormatNode, env: FieldEnv, opts: LogFormatOptions): Step {
  switch (node.t) {
    case 'text': return { kind: KIND_TEXT, text: node.text, write: null }
    case 'sep': return { kind: KIND_SEP, text: ' ', write: null }
    case 'sample': {
      if (!opts.compileSample) throw new LogFormatError(`sample expression '%[${node.expr}]' not supported here`)
      return { kind: KIND_FIELD, text: '', write: sampleWriter(opts.compileSample(node.expr), node.opts) }
    }
    case 'alias': {
      const factory = FIELDS.get(node.name)
      if (!factory) {
        throw new LogFormatError(`no such format alias '${node.name}'. If you wanted to emit the '%' character verbatim, you need to use '%%'`)
      }
      return { kind: KIND_FIELD, text: '', write: factory(node.opts, env) }
    }
  }
}

/** Format text for a `log-format` value or a named format. */
export function formatText (fmt: string, mode: 'http' | 'tcp'): string {
  switch (fmt) {
    case 'httplog': return HTTPLOG_FORMAT
    case 'tcplog': return TCPLOG_FORMAT
    case 'clf': return CLF_FORMAT
    case 'default': return CONNECT_FORMAT[mode]
    default: return fmt
  }
}

/** Compiles <fmt> ("httplog", "tcplog", "clf", "default" or a log-format
 *  string). Throws LogFormatError (config/ adds file:line) on an unknown
 *  alias, a bad '%' or an unsupported %[...]. The returned writer does not
 *  keep or mutate <rec>; <view> is read only by %[...] samples. */
export function compileLogFormat (fmt: string, opts: LogFormatOptions = {}): LogLineWriter {
  const mode = opts.mode ?? 'http'
  const env: FieldEnv = { hostname: opts.hostname ?? '', pid: opts.pid ?? process.pid, mode }
  const steps: Step[] = parseLogFormat(formatText(fmt, mode)).map(n => compileStep(n, env, opts))
  const n = steps.length
  return (rec: LogRecord, view?: StreamView): string => {
    let out = ''
    let lastSpace = true
    for (let i = 0; i < n; i++) {
      const s = steps[i]
      if (s.kind === KIND_SEP) {
        if (!lastSpace) { out += ' '; lastSpace = true }
      } else if (s.kind === KIND_TEXT) {
        out += s.text; lastSpace = false
      } else {
        const piece = (s.write as FieldWriter)(rec, view)
        if (piece.length !== 0) { out += piece; lastSpace = false }
      }
    }
    return out
  }
}
