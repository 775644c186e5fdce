/** What the control channel (runtime/control.ts) answers about observe mode:
 *  the switch, the capture list (summaries), one capture in full, the HAR export,
 *  and a push of each new capture's summary. Everything is plain data (bodies as
 *  text or base64), ready for postMessage and JSON. */
import { bodyText, type BodyText, type Har } from './har.ts'
import type { Observer } from './observer.ts'
import type { Capture, CaptureFilter, CaptureSummary, HttpExchange, TlsFlow } from './types.ts'

export interface ObserveState {
  /** false: pocketlb runs without --observe (the rest is empty) */
  readonly available: boolean
  readonly on: boolean
  readonly httpPorts: readonly number[]
  readonly tlsPorts: readonly number[]
  /** bytes of each body kept */
  readonly maxBody: number
  /** captures the ring keeps */
  readonly capacity: number
  /** intercepted connections still being relayed */
  readonly relayed: number
}

/** One capture in full, bodies as text (UTF-8) or base64, as in HAR */
export type CaptureDetail = (Omit<HttpExchange, 'reqBody' | 'resBody'> & { readonly reqBody: BodyText; readonly resBody: BodyText }) | TlsFlow

export interface ObserveOps {
  observe: { req: { on?: boolean }; res: ObserveState }
  observeList: { req: CaptureFilter; res: CaptureSummary[] }
  observeGet: { req: { id: number }; res: CaptureDetail | null }
  observeHar: { req: { ids?: number[] }; res: Har }
}

export function summaryOf (c: Capture): CaptureSummary {
  if (c.kind === 'tls') return c
  const { reqHeaders: _rh, resHeaders: _sh, reqBody: _rb, resBody: _sb, ...rest } = c
  return rest
}

function detailOf (c: Capture): CaptureDetail {
  return c.kind === 'tls' ? c : { ...c, reqBody: bodyText(c.reqBody), resBody: bodyText(c.resBody) }
}

const OFF: ObserveState = { available: false, on: false, httpPorts: [], tlsPorts: [], maxBody: 0, capacity: 0, relayed: 0 }

/** The handlers of ObserveOps over <o> (null: observe mode not started). */
export function observeHandlers (o: Observer | null): { [K in keyof ObserveOps]: (arg: ObserveOps[K]['req']) => ObserveOps[K]['res'] } {
  const need = (): Observer => {
    if (o === null) throw new Error('observe mode is not available: start pocketlb with --observe <pc-if>,<lan-if>')
    return o
  }
  const state = (x: Observer): ObserveState => ({
    available: true, on: x.enabled, httpPorts: x.httpPorts, tlsPorts: x.tlsPorts, maxBody: x.maxBody, capacity: x.store.capacity, relayed: x.relayed
  })
  return {
    observe: ({ on }) => {
      if (o === null && on === undefined) return OFF
      const x = need()
      if (on === true && !x.enabled) x.enable()
      if (on === false && x.enabled) x.disable()
      return state(x)
    },
    observeList: (filter) => o === null ? [] : o.store.list(filter).map(summaryOf),
    observeGet: ({ id }) => {
      const c = o?.store.get(id)
      return c === undefined ? null : detailOf(c)
    },
    observeHar: ({ ids }) => need().store.toHar(ids)
  }
}

/** Calls <push> with the summary of each new capture; returns the unsubscribe. */
export function observePush (o: Observer | null, push: (c: CaptureSummary) => void): () => void {
  if (o === null) return () => {}
  const listener = (c: Capture): void => push(summaryOf(c))
  o.store.on('exchange', listener)
  return () => { o.store.off('exchange', listener) }
}
