/** HAR 1.2 (the browsers' "HTTP Archive") of recorded exchanges, for export from
 *  the UI into any HAR viewer. Bodies are what was captured (up to maxBody). */
import { VERSION } from '../version.ts'
import type { HeaderList, HttpExchange } from './types.ts'

interface HarHeader { name: string; value: string }
export interface HarEntry {
  startedDateTime: string
  time: number
  request: {
    method: string; url: string; httpVersion: string; headers: HarHeader[]; queryString: HarHeader[]
    cookies: never[]; headersSize: number; bodySize: number; postData?: { mimeType: string; text: string; encoding?: 'base64' }
  }
  response: {
    status: number; statusText: string; httpVersion: string; headers: HarHeader[]; cookies: never[]
    content: { size: number; mimeType: string; text?: string; encoding?: 'base64' }; redirectURL: string; headersSize: number; bodySize: number
  }
  cache: Record<string, never>
  timings: { blocked: number; dns: number; ssl: number; connect: number; send: number; wait: number; receive: number }
  serverIPAddress: string
  connection: string
  comment?: string
}
export interface Har { log: { version: '1.2'; creator: { name: string; version: string }; entries: HarEntry[] } }

const headers = (list: HeaderList): HarHeader[] => list.map(([name, value]) => ({ name, value }))

function header (list: HeaderList, lname: string): string {
  return list.find(([n]) => n.toLowerCase() === lname)?.[1] ?? ''
}

export interface BodyText { readonly text: string; readonly encoding?: 'base64' }

/** Text as such when the body is valid UTF-8, base64 otherwise (HAR's two forms). */
export function bodyText (body: Buffer): BodyText {
  const text = body.toString('utf8')
  return Buffer.byteLength(text) === body.length && !text.includes('\uFFFD') ? { text } : { text: body.toString('base64'), encoding: 'base64' }
}

function query (path: string): HarHeader[] {
  const q = path.indexOf('?')
  if (q < 0) return []
  return [...new URLSearchParams(path.slice(q + 1))].map(([name, value]) => ({ name, value }))
}

function entry (x: HttpExchange): HarEntry {
  const url = /^[a-z]+:\/\//i.test(x.path) ? x.path : `http://${x.host || x.server}${x.path}`
  const reqMime = header(x.reqHeaders, 'content-type')
  const resMime = header(x.resHeaders, 'content-type')
  const { connect, firstByte, total } = x.timings
  const wait = firstByte < 0 ? total : firstByte
  return {
    startedDateTime: new Date(x.startedAt).toISOString(),
    time: connect + total,
    request: {
      method: x.method, url, httpVersion: x.httpVersion, headers: headers(x.reqHeaders), queryString: query(x.path),
      cookies: [], headersSize: x.reqSize - x.reqBodySize, bodySize: x.reqBodySize,
      ...(x.reqBodySize > 0 ? { postData: { mimeType: reqMime, ...bodyText(x.reqBody) } } : {})
    },
    response: {
      status: x.status, statusText: x.reason, httpVersion: x.httpVersion, headers: headers(x.resHeaders), cookies: [],
      content: { size: x.resBodySize, mimeType: resMime, ...(x.resBody.length ? bodyText(x.resBody) : {}) },
      redirectURL: header(x.resHeaders, 'location'), headersSize: x.status ? x.resSize - x.resBodySize : -1, bodySize: x.status ? x.resBodySize : -1
    },
    cache: {},
    timings: { blocked: -1, dns: -1, ssl: -1, connect, send: 0, wait, receive: Math.max(0, total - wait) },
    serverIPAddress: x.server.slice(0, x.server.lastIndexOf(':')).replace(/^\[(.*)\]$/, '$1'),
    connection: x.client,
    ...(x.error !== null ? { comment: x.error } : {})
  }
}

export function toHar (exchanges: readonly HttpExchange[]): Har {
  return { log: { version: '1.2', creator: { name: 'pocketlb', version: VERSION }, entries: exchanges.map(entry) } }
}
