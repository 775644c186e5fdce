import type { BalancePlan, HashTypePlan } from '../config/plan.ts'
import type { StreamView } from '../core/stream-view.ts'
import { headerValue } from '../core/http-head.ts'
import { fullHash, stringHashes } from '../core/hash.ts'
import type { StringHash } from '../core/hash.ts'

/** What hashing algorithms hash, compiled once per backend (HAProxy
 *  get_server_sh/uh/ph/hh). The returned function gives the unsigned 32-bit
 *  key of a stream, or -1 when the key is missing: the balancer then falls
 *  back to round robin, as HAProxy does for every hashing algorithm
 *  (no HTTP request, no parameter, empty header, non-IP client).
 *  No allocation per call: hashes run over index ranges of existing strings. */
export type KeySource = (s: StreamView) => number

export function compileKeySource (bal: BalancePlan, hash: HashTypePlan): KeySource | null {
  const fn = stringHashes[hash.fn]
  const finish = hash.avalanche ? fullHash : (h: number) => h
  switch (bal.algo) {
    case 'source': return s => {
      const h = addressKey(s.srcAddr)
      return h < 0 ? -1 : finish(h)
    }
    case 'uri': return uriKey(bal, fn, finish)
    case 'url_param': return paramKey(bal.param, fn, finish)
    case 'hdr': return headerKey(bal.hdrName.toLowerCase(), bal.hdrDomainOnly, fn, finish)
    // WHY: the RDP cookie sits in the TCP payload, which StreamView does not
    // expose yet; every stream takes HAProxy's missing-cookie path.
    case 'rdp-cookie': return () => -1
    case 'roundrobin': case 'static-rr': case 'leastconn': case 'first': case 'random':
      return null
  }
}

/** `balance uri [whole] [path-only] [len <n>] [depth <n>]`: hashes the URI up
 *  to '?' (all of it with `whole`), at most <len> chars, stopping before the
 *  (depth+1)th '/'. `path-only` first drops scheme and authority. */
function uriKey (bal: BalancePlan, fn: StringHash, finish: (h: number) => number): KeySource {
  const endSlash = bal.uriDepth > 0 ? bal.uriDepth + 1 : 0
  return s => {
    if (s.req === null) return -1
    const uri = s.req.uri
    let start = 0
    let stop = uri.length
    if (bal.uriPathOnly) {
      start = pathStart(uri)
      if (start < 0) start = stop
    }
    if (bal.uriLen > 0 && stop - start > bal.uriLen) stop = start + bal.uriLen
    let end = start
    let slashes = 0
    for (; end < stop; end++) {
      const c = uri.charCodeAt(end)
      if (c === 47 /* / */) {
        if (++slashes === endSlash) break
      } else if (c === 63 /* ? */ && !bal.uriWhole) break
    }
    return finish(fn(uri, start, end))
  }
}

/** Index where the path of <uri> starts (HAProxy http_parse_path), or -1 when
 *  it has none ('*', authority-form, or "scheme://host" alone). */
function pathStart (uri: string): number {
  if (uri.length === 0 || uri.charCodeAt(0) === 42 /* * */) return -1
  if (uri.charCodeAt(0) === 47) return 0
  if (!isAlpha(uri.charCodeAt(0))) return -1
  let i = 1
  while (i < uri.length && isSchemeChar(uri.charCodeAt(i))) i++
  if (!uri.startsWith('://', i)) return -1
  const slash = uri.indexOf('/', i + 3)
  return slash < 0 ? -1 : slash
}

function isAlpha (c: number): boolean { return (c | 0x20) >= 97 && (c | 0x20) <= 122 }
function isSchemeChar (c: number): boolean {
  return isAlpha(c) || (c >= 48 && c <= 57) || c === 43 || c === 45 || c === 46
}

/** `balance url_param <name>`: hashes the value of the first `<name>=` in the
 *  query string (an empty value hashes too); missing parameter = no key. */
function paramKey (name: string, fn: StringHash, finish: (h: number) => number): KeySource {
  const plen = name.length
  return s => {
    if (s.req === null) return -1
    const uri = s.req.uri
    const q = uri.indexOf('?')
    if (q < 0) return -1
    let p = q + 1
    while (uri.length - p > plen) {
      if (uri.charCodeAt(p + plen) === 61 /* = */ && uri.startsWith(name, p)) {
        const start = p + plen + 1
        let end = uri.indexOf('&', start)
        if (end < 0) end = uri.length
        return finish(fn(uri, start, end))
      }
      const amp = uri.indexOf('&', p)
      if (amp < 0) return -1
      p = amp + 1
    }
    return -1
  }
}

/** `balance hdr(<name>) [use_domain_only]`: hashes the first value (up to an
 *  unquoted comma, blanks trimmed) of the first occurrence of the header; an
 *  absent or empty value = no key. `use_domain_only` keeps only the label
 *  before the last dot ("www.example.com" -> "example"). */
function headerKey (lname: string, domainOnly: boolean, fn: StringHash, finish: (h: number) => number): KeySource {
  return s => {
    if (s.req === null) return -1
    const v = headerValue(s.req, lname, 1)
    if (v === undefined) return -1
    let start = 0
    while (start < v.length && isBlank(v.charCodeAt(start))) start++
    let end = firstValueEnd(v, start)
    while (end > start && isBlank(v.charCodeAt(end - 1))) end--
    if (end === start) return -1
    return finish(domainOnly ? domainHash(v, start, end, fn) : fn(v, start, end))
  }
}

function isBlank (c: number): boolean { return c === 32 || c === 9 }

/** End of the first comma-separated value from <i>, commas inside quoted
 *  strings (with backslash escapes) excepted. */
function firstValueEnd (v: string, i: number): number {
  let quoted = false
  for (; i < v.length; i++) {
    const c = v.charCodeAt(i)
    if (quoted) {
      if (c === 92 /* \ */) i++
      else if (c === 34 /* " */) quoted = false
    } else if (c === 34) quoted = true
    else if (c === 44 /* , */) return i
  }
  return v.length
}

/** Walking back from the end, the label between the last dot and the dot
 *  before it; the whole value when it has no dot (get_server_hh). */
function domainHash (v: string, start: number, end: number, fn: StringHash): number {
  let p = end
  let stop = end
  let inDomain = false
  for (let left = end - start; left > 0; left--) {
    if (inDomain) {
      if (v.charCodeAt(p - 1) === 46 /* . */) break
    } else if (p < end && v.charCodeAt(p) === 46) {
      stop = p
      inDomain = true
    }
    p--
  }
  return fn(v, p, stop)
}

/** `balance source`: an IPv4 address as its 32-bit value; an IPv6 address as
 *  the XOR of its four 32-bit words (IPv4-mapped ones included, as HAProxy
 *  sees them on a v6 socket). -1 when <addr> is not an IP address. */
export function addressKey (addr: string): number {
  return addr.indexOf(':') < 0 ? ipv4Value(addr, 0, addr.length) : ipv6Fold(addr)
}

function ipv4Value (a: string, from: number, to: number): number {
  let v = 0
  let part = -1
  let dots = 0
  for (let i = from; i < to; i++) {
    const c = a.charCodeAt(i)
    if (c === 46) {
      if (part < 0 || ++dots > 3) return -1
      v = v * 256 + part
      part = -1
    } else if (c >= 48 && c <= 57) {
      part = (part < 0 ? 0 : part * 10) + c - 48
      if (part > 255) return -1
    } else return -1
  }
  if (part < 0 || dots !== 3) return -1
  return (v * 256 + part) >>> 0
}

/** 16-bit groups of the address being parsed (scratch, no per-call allocation). */
const groups = new Uint16Array(8)

function ipv6Fold (a: string): number {
  let end = a.indexOf('%')
  if (end < 0) end = a.length
  let n = 0
  let gap = -1
  let i = 0
  if (a.startsWith('::', 0)) { gap = 0; i = 2 }
  while (i < end) {
    let j = i
    let g = 0
    while (j < end && j - i < 5) {
      const d = hexDigit(a.charCodeAt(j))
      if (d < 0) break
      g = g * 16 + d
      j++
    }
    if (j < end && a.charCodeAt(j) === 46 /* embedded IPv4 */) {
      const v4 = ipv4Value(a, i, end)
      if (v4 < 0 || n > 6) return -1
      groups[n++] = v4 >>> 16
      groups[n++] = v4 & 0xffff
      i = end
      break
    }
    if (j === i || j - i > 4 || n === 8) return -1
    groups[n++] = g
    i = j
    if (i === end) break
    if (a.charCodeAt(i) !== 58 /* : */) return -1
    i++
    if (i < end && a.charCodeAt(i) === 58) {
      if (gap >= 0) return -1
      gap = n
      i++
    } else if (i === end) return -1
  }
  if (gap < 0 ? n !== 8 : n > 7) return -1
  // expand "::": the groups after the gap move to the end, zeros in between
  const shift = 8 - n
  if (gap >= 0) {
    for (let k = n - 1; k >= gap; k--) groups[k + shift] = groups[k]!
    for (let k = gap; k < gap + shift; k++) groups[k] = 0
  }
  let h = 0
  for (let w = 0; w < 8; w += 2) h ^= (groups[w]! << 16) | groups[w + 1]!
  return h >>> 0
}

function hexDigit (c: number): number {
  if (c >= 48 && c <= 57) return c - 48
  const l = c | 0x20
  return l >= 97 && l <= 102 ? l - 87 : -1
}
