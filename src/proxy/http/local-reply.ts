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

export function returnReply (status: number, headers: readonly (readonly [string, string])[], body: string): Buffer {
  let h = `HTTP/1.1 ${status} ${reason(status)}\r\n`
  for (const [n, v] of headers) h += n + ': ' + v + '\r\n'
  h += 'content-length: ' + Buffer.byteLength(body) + '\r\n\r\n'
  return Buffer.concat([Buffer.from(h, 'latin1'), Buffer.from(body)])
}
