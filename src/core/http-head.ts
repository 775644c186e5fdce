/** A parsed HTTP/1.x message head, as the proxy's parser produces it and as
 *  rules, balancers (hash keys) and logs read it. Header names keep their
 *  original spelling in <names>; <lnames> holds the lower-cased ones for
 *  lookups. Order and duplicates are preserved (HAProxy's occurrence semantics).
 *  Owned by the stream; readers must not mutate it except through the
 *  helpers below (http-request set-header/del-header act on it before the
 *  head is serialised toward the server). */
export interface HttpHead {
  /** Request: method (e.g. "GET"); response: "" */
  method: string
  /** Request: the request-target as received (origin-form or absolute-form); response: "" */
  uri: string
  /** "HTTP/1.1", "HTTP/1.0" */
  version: string
  /** Response status code; 0 for requests */
  status: number
  /** Response reason phrase; "" for requests */
  reason: string
  names: string[]
  lnames: string[]
  values: string[]
}

export function newHead (): HttpHead {
  return { method: '', uri: '', version: 'HTTP/1.1', status: 0, reason: '', names: [], lnames: [], values: [] }
}

/** Value of the <occ>th occurrence of header <lname> (lower-case), 1-based;
 *  occ < 0 counts from the last (-1 = last, HAProxy's default for hdr()). */
export function headerValue (h: HttpHead, lname: string, occ = -1): string | undefined {
  if (occ < 0) {
    let seen = 0
    for (let i = h.lnames.length - 1; i >= 0; i--) if (h.lnames[i] === lname && ++seen === -occ) return h.values[i]
    return undefined
  }
  let seen = 0
  for (let i = 0; i < h.lnames.length; i++) if (h.lnames[i] === lname && ++seen === occ) return h.values[i]
  return undefined
}

export function headerCount (h: HttpHead, lname: string): number {
  let n = 0
  for (let i = 0; i < h.lnames.length; i++) if (h.lnames[i] === lname) n++
  return n
}

export function delHeader (h: HttpHead, lname: string): void {
  for (let i = h.lnames.length - 1; i >= 0; i--) {
    if (h.lnames[i] === lname) { h.names.splice(i, 1); h.lnames.splice(i, 1); h.values.splice(i, 1) }
  }
}

export function addHeader (h: HttpHead, name: string, value: string): void {
  h.names.push(name); h.lnames.push(name.toLowerCase()); h.values.push(value)
}

export function setHeader (h: HttpHead, name: string, value: string): void {
  delHeader(h, name.toLowerCase()); addHeader(h, name, value)
}

/** Path part of the request-target: from the first '/' after any scheme://authority
 *  up to (not including) '?'. Empty for '*' and authority-form. */
export function requestPath (uri: string): string {
  let start = 0
  if (uri.charCodeAt(0) !== 47 /* / */) {
    const scheme = uri.indexOf('://')
    if (scheme < 0) return ''
    start = uri.indexOf('/', scheme + 3)
    if (start < 0) return ''
  }
  const q = uri.indexOf('?', start)
  return q < 0 ? uri.slice(start) : uri.slice(start, q)
}

/** Query string without '?', or undefined when the target has none. */
export function requestQuery (uri: string): string | undefined {
  const q = uri.indexOf('?')
  return q < 0 ? undefined : uri.slice(q + 1)
}
