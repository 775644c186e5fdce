// HTTP/1 head parsing, the first thing every request costs.
import { bench } from './measure.ts'
import { findHeadEnd, parseRequestHead, parseResponseHead, HeadMeta } from '../../../src/proxy/http/head-parser.ts'
import { serializeHead, requestLine } from '../../../src/proxy/http/serialize.ts'
import { newHead } from '../../../src/core/http-head.ts'

const req = Buffer.from('GET /api/v1/items?id=42&sort=asc HTTP/1.1\r\nHost: shop.example.com\r\nUser-Agent: Mozilla/5.0 (X11; Linux x86_64) Firefox/128.0\r\n' +
  'Accept: text/html,application/xhtml+xml\r\nAccept-Language: en-GB,en;q=0.5\r\nAccept-Encoding: gzip, deflate\r\nCookie: SERVERID=s1; session=abcdef0123456789\r\nConnection: keep-alive\r\n\r\n')
const res = Buffer.from('HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 99\r\nDate: Sat, 21 Nov 2026 06:00:00 GMT\r\n\r\n')
const head = newHead(); const meta = new HeadMeta()
const end = findHeadEnd(req, 0)
/** as the session does before each head: the arrays are reused */
const clear = (): void => { meta.reset(); head.names.length = 0; head.lnames.length = 0; head.values.length = 0 }
const rend = findHeadEnd(res, 0)

bench('findHeadEnd (8 fields, 330 bytes)', () => findHeadEnd(req, 0))
bench('parseRequestHead (8 fields)', () => { clear(); return parseRequestHead(req, end, head, meta, 101) })
bench('parseResponseHead (3 fields)', () => { clear(); return parseResponseHead(res, rend, head, meta, 101, 'GET') })
clear(); parseRequestHead(req, end, head, meta, 101)
bench('serializeHead (request, 8 fields)', () => serializeHead(requestLine(head), head, 'keep-alive'))
