import { parseTime } from '../../config/durations.ts'
import { RulesError } from '../types.ts'
import { leadingInt, type SampleFn } from '../sample.ts'
import type { ActionParser } from './parse.ts'
import { arg, sampleArg, CONTINUE } from './parse.ts'

/** `http-request set-timeout server|tunnel <time>|<expr>` (HAProxy 2.6
 *  http_act.c): this stream's server or tunnel timeout; an expression gives
 *  milliseconds. Only proxies with a backend side may use it. */
export type StreamTimeout = 'server' | 'tunnel'

/** A stream whose timeouts rules may change (the proxy's HTTP streams). */
export interface TimeoutHolder {
  setStreamTimeout (which: StreamTimeout, ms: number): void
}

const setTimeout: ActionParser = (words, i, _paren, cc) => {
  if (cc.backend !== true) throw new RulesError(`proxy '${cc.proxy ?? ''}' has no backend capability`)
  const which = arg(words, i, "'server' or 'tunnel'", 'set-timeout')
  if (which !== 'server' && which !== 'tunnel') throw new RulesError(`'set-timeout' rule supports 'server'/'tunnel' (got '${which}')`)
  const text = arg(words, i + 1, 'a timeout value', 'set-timeout')
  const fixed = parseTime(text)
  const fn: SampleFn = typeof fixed === 'number' ? () => fixed : sampleArg(text, cc, 'set-timeout')
  return {
    run: t => {
      const v = fn(t)
      const ms = typeof v === 'number' ? v : typeof v === 'string' ? leadingInt(v) : -1
      if (ms >= 0) (t as Partial<TimeoutHolder>).setStreamTimeout?.(which, ms)
      return CONTINUE
    },
    next: i + 2
  }
}

export const TIMEOUT_ACTIONS: Readonly<Record<string, ActionParser>> = { 'set-timeout': setTimeout }
