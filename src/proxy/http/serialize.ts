import type { HttpHead } from '../../core/http-head.ts'

/** Builds the head sent on the other side. Header names are written in lower
 *  case and Connection is rebuilt, as HAProxy 2.6 (HTX) does: the "close" and
 *  "keep-alive" tokens are ours to decide, other tokens pass. <connToken> is
 *  what this hop needs ("close", "keep-alive", "upgrade" or ""). Requests keep
 *  Connection where it was; responses get it last (<connLast>), as HAProxy
 *  writes them. Returns latin1 text. */
export function serializeHead (startLine: string, head: HttpHead, connToken: string, connLast = false): string {
  let out = startLine + '\r\n'
  let connDone = false
  const n = head.lnames.length
  for (let k = 0; k < n; k++) {
    const ln = head.lnames[k]
    if (ln === 'connection') {
      if (connDone || connLast) continue
      connDone = true
      const v = mergeConnection(head, connToken)
      if (v !== '') out += 'connection: ' + v + '\r\n'
      continue
    }
    out += ln + ': ' + head.values[k] + '\r\n'
  }
  if (!connDone) {
    const v = connLast ? mergeConnection(head, connToken) : connToken
    if (v !== '') out += 'connection: ' + v + '\r\n'
  }
  return out + '\r\n'
}

/** All Connection field tokens except close/keep-alive (and upgrade unless
 *  <connToken> is "upgrade"), followed by <connToken> unless it was there:
 *  an upgrade token kept stays where and as the message wrote it (HAProxy). */
function mergeConnection (head: HttpHead, connToken: string): string {
  let v = ''
  let tok = connToken
  for (let k = 0; k < head.lnames.length; k++) {
    if (head.lnames[k] !== 'connection') continue
    for (const raw of head.values[k].split(',')) {
      const t = raw.trim()
      const lt = t.toLowerCase()
      if (lt === 'upgrade' && tok === 'upgrade') tok = ''
      else if (t === '' || lt === 'close' || lt === 'keep-alive' || lt === 'upgrade') continue
      v += (v === '' ? '' : ', ') + t
    }
  }
  if (tok !== '') v += (v === '' ? '' : ', ') + tok
  return v
}

export function requestLine (head: HttpHead): string {
  return head.method + ' ' + head.uri + ' ' + head.version
}

export function statusLine (head: HttpHead): string {
  return head.version + ' ' + head.status + (head.reason === '' ? '' : ' ' + head.reason)
}

/** Largest body part sent in the same buffer as its head: beyond it the copy
 *  costs more than the second write it saves. */
const JOIN_MAX = 16384

/** A body part of <n> bytes goes in its head's buffer (see headWithBody). */
export function joinsHead (n: number): boolean { return n <= JOIN_MAX }

/** <head> (latin1 text) followed by the first <n> bytes of <body> in one
 *  buffer: one write (one syscall, and one segment on the other end) instead
 *  of two. <n> may be 0. */
export function headWithBody (head: string, body: Buffer | null, n: number): Buffer {
  const hl = head.length
  const buf = Buffer.allocUnsafe(hl + n)
  buf.write(head, 0, hl, 'latin1')
  if (n > 0) body!.copy(buf, hl, 0, n)
  return buf
}
