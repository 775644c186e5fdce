/** One intercepted plain-HTTP connection: relayed unchanged to where it was
 *  going while two taps pair requests with responses (keep-alive and pipelining
 *  included) into HttpExchange records for the store. */
import type { Socket } from 'node:net'
import { HttpTap, type TapHead } from './http-tap.ts'
import { endpointName, type Endpoint } from './original-dst.ts'
import { relay } from './relay.ts'
import type { CaptureStore } from './store.ts'
import type { HttpExchange } from './types.ts'

type Draft = { -readonly [K in keyof HttpExchange]: HttpExchange[K] } & {
  /** performance.now() of the request's first byte */
  t0: number
  reqParts: BodyCapture
  resParts: BodyCapture
}

/** The first <limit> bytes of a body, copied (the socket's chunk is not kept alive). */
class BodyCapture {
  private readonly parts: Buffer[] = []
  private len = 0
  constructor (private readonly limit: number) {}
  add (chunk: Buffer): void {
    if (this.len >= this.limit) return
    const part = Buffer.from(chunk.subarray(0, this.limit - this.len))
    this.parts.push(part)
    this.len += part.length
  }

  bytes (): Buffer { return this.parts.length === 1 ? this.parts[0]! : Buffer.concat(this.parts) }
}

const hostOf = (h: TapHead): string => h.headers.find(([n]) => n.toLowerCase() === 'host')?.[1] ?? ''

export interface InterceptOpts {
  /** Bytes of each body kept in the record */
  readonly maxBody: number
}

export function interceptHttp (client: Socket, dst: Endpoint, store: CaptureStore, o: InterceptOpts): void {
  const clientName = endpointName(client.remoteAddress ?? '', client.remotePort ?? 0)
  const serverName = endpointName(dst.addr, dst.port)
  /** Requests sent and not yet fully answered, oldest first */
  const pending: Draft[] = []
  let connectMs = 0
  /** The exchange that pays for the connection (its connect time) */
  let first: Draft | null = null
  let reqStart = 0
  let resStart = 0

  const complete = (d: Draft, error: string | null): void => {
    d.error = error
    d.timings.total = performance.now() - d.t0
    const { t0: _t0, reqParts, resParts, ...x } = d
    store.add({ ...x, reqBody: reqParts.bytes(), resBody: resParts.bytes() })
  }

  const reqTap = new HttpTap(false, {
    head (h) {
      const d: Draft = {
        kind: 'http', id: store.nextId(), startedAt: Date.now() - (performance.now() - reqStart), client: clientName, server: serverName,
        method: h.method, host: hostOf(h), path: h.uri, httpVersion: h.version, reqHeaders: h.headers, reqSize: 0, reqBodySize: 0,
        reqBody: Buffer.alloc(0), status: 0, reason: '', resHeaders: [], resSize: 0, resBodySize: 0, resBody: Buffer.alloc(0),
        timings: { connect: first === null ? connectMs : 0, firstByte: -1, total: 0 }, error: null,
        t0: reqStart, reqParts: new BodyCapture(o.maxBody), resParts: new BodyCapture(o.maxBody)
      }
      first ??= d
      pending.push(d)
      return false
    },
    body (chunk) { pending[pending.length - 1]?.reqParts.add(chunk) },
    end (wire, body) {
      const d = pending[pending.length - 1]
      if (d) { d.reqSize = wire; d.reqBodySize = body }
    },
    tunnel () {}
  })

  const resTap = new HttpTap(true, {
    head (h) {
      const d = pending[0]
      if (!d) return false
      d.status = h.status
      d.reason = h.reason
      d.resHeaders = h.headers
      d.timings.firstByte = resStart - d.t0
      return d.method === 'HEAD' || (d.method === 'CONNECT' && h.status < 300)
    },
    body (chunk) { pending[0]?.resParts.add(chunk) },
    end (wire, body) {
      const d = pending.shift()
      if (!d) return
      d.resSize = wire
      d.resBodySize = body
      complete(d, null)
    },
    tunnel (why) {
      if (why === 'upgraded') return                    // the 101 exchange already ended
      const d = pending.shift()
      if (d) complete(d, `response not followed: ${why}`)
    }
  })

  relay(client, dst, {
    connected (ms) {
      connectMs = ms
      if (first !== null) first.timings.connect = ms     // the request came before the connection was up
    },
    up (chunk) {
      if (reqTap.idle) reqStart = performance.now()
      reqTap.push(chunk)
    },
    down (chunk) {
      if (resTap.idle) resStart = performance.now()
      resTap.push(chunk)
    },
    serverEnded () { resTap.close() },
    closed () {
      for (const d of pending.splice(0)) complete(d, d.status ? 'connection closed during the response' : 'connection closed before the response')
    }
  })
}
