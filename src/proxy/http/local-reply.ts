import { reasonOf } from './errors.ts'

/** Responses the proxy writes itself for `http-request redirect` and
 *  `http-request return` (HAProxy's HTX form: lower-case names). */

const extraReasons: Record<number, string> = {
  201: 'Created', 202: 'Accepted', 204: 'No Content', 301: 'Moved Permanently', 302: 'Found',
  303: 'See Other', 307: 'Temporary Redirect', 308: 'Permanent Redirect'
}

function reason (status: number): string {
  return extraReasons[status] ?? (reasonOf(status) || 'Unknown')
}

export function redirectReply (status: number, location: string): Buffer {
  return Buffer.from(`HTTP/1.1 ${status} ${reason(status)}\r\ncontent-length: 0\r\nlocation: ${location}\r\ncache-control: no-cache\r\n\r\n`, 'latin1')
}

/** HAProxy's order: the rule's `hdr` headers, then content-length, then content-type. */
export function returnReply (status: number, headers: readonly (readonly [string, string])[], body: string): Buffer {
  let h = `HTTP/1.1 ${status} ${reason(status)}\r\n`
  let type = ''
  for (const [n, v] of headers) {
    if (n === 'content-type') type = 'content-type: ' + v + '\r\n'
    else h += n + ': ' + v + '\r\n'
  }
  h += 'content-length: ' + Buffer.byteLength(body) + '\r\n' + type + '\r\n'
  return Buffer.concat([Buffer.from(h, 'latin1'), Buffer.from(body)])
}

const CONNECTION_HEADER = { close: Buffer.from('\r\nconnection: close'), 'keep-alive': Buffer.from('\r\nconnection: keep-alive') }
const HEAD_END = Buffer.from('\r\n\r\n')

/** Whether <raw> (a whole reply made here) already says `Connection: close`, as
 *  HAProxy's 400 and 408 pages (and errorfiles written so) do: then it is sent as it is. */
export function saysConnectionClose (raw: Buffer): boolean {
  const end = raw.indexOf(HEAD_END)
  return /\r\nconnection:[ \t]*close\b/i.test(raw.toString('latin1', 0, end < 0 ? raw.length : end))
}

/** <raw> (a whole reply made here) with `connection: <token>` as its last header. */
export function withConnectionHeader (raw: Buffer, token: 'close' | 'keep-alive'): Buffer {
  const end = raw.indexOf(HEAD_END)
  return end < 0 ? raw : Buffer.concat([raw.subarray(0, end), CONNECTION_HEADER[token], raw.subarray(end)])
}
