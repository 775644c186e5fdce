// Expected lines are those haproxy 2.6.12 printed for the same values (see test/e2e/log for the live comparison).
process.env.TZ = 'Asia/Kolkata' // +05:30, no DST: exercises local time and offsets with minutes
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { compileLogFormat, LogFormatError } from '../../../src/log/format.ts'
import { ACCEPT_MS, sampleRecord } from './record-fixture.ts'
import type { StreamView } from '../../../src/core/stream-view.ts'

const line = (fmt: string, over = {}, opts = {}): string => compileLogFormat(fmt, { pid: 7748, hostname: 'vm', ...opts })(sampleRecord(over))

test('httplog is HAProxy 2.6 field by field', () => {
  assert.equal(line('httplog'),
    '127.0.0.1:40428 [21/Nov/2026:11:15:42.985] fe bk/s1 0/0/0/4/4 200 114 - - ---- 1/1/0/0/0 0/0 {127.0.0.1:41581|curl/long-} {abc} "GET /a?b=c HTTP/1.1"')
})

test('httplog without captures, <NOSRV>, TLS frontend and redispatch', () => {
  assert.equal(line('httplog', { reqCaptures: [], resCaptures: [], srvName: '<NOSRV>', beName: 'bk2', feName: 'fe2', Tw: -1, Tc: -1, Tr: -1, Ta: 0,
    status: 503, bytesOut: 217, termState: 'SC--', requestLine: 'GET /x HTTP/1.1' }),
  '127.0.0.1:40428 [21/Nov/2026:11:15:42.985] fe2 bk2/<NOSRV> 0/-1/-1/-1/0 503 217 - - SC-- 1/1/0/0/0 0/0 "GET /x HTTP/1.1"')
  assert.equal(line('httplog', { feSsl: true, redispatched: true, retries: 2, reqCaptures: [''], resCaptures: [] }),
    '127.0.0.1:40428 [21/Nov/2026:11:15:42.985] fe~ bk/s1 0/0/0/4/4 200 114 - - ---- 1/1/0/0/+2 0/0 {} "GET /a?b=c HTTP/1.1"')
})

test('tcplog and the default connect line', () => {
  assert.equal(line('tcplog', { beName: 'bkt', Tw: 1, Tc: 0, Tt: 1, bytesOut: 139, termState: '----', status: -1 }),
    '127.0.0.1:40428 [21/Nov/2026:11:15:42.985] fe bkt/s1 1/0/1 139 -- 1/1/0/0/0 0/0')
  assert.equal(line('default', {}, { mode: 'tcp' }), 'Connect from 127.0.0.1:40428 to 127.0.0.1:41581 (fe/TCP)')
  assert.equal(line('default'), 'Connect from 127.0.0.1:40428 to 127.0.0.1:41581 (fe/HTTP)')
})

test('clf quotes text fields, keeps numbers bare and a trailing separator', () => {
  assert.equal(line('clf', { feName: 'fe3', reqCaptures: ['127.0.0.1:41583'], resCaptures: [], requestLine: 'GET /clf HTTP/1.1', clientPort: 41418, Tr: 0, Ta: 0 }),
    '127.0.0.1 - - [21/Nov/2026:05:45:42 +0000] "GET /clf HTTP/1.1" 200 114 "" "" 41418 985 "fe3" "bk" "s1" 0 0 0 0 0 ---- 1 1 0 0 0 0 0 "" "" "127.0.0.1:41583" ')
})

test('dates: %t %tr %T %Tl %trg %trl %Ts %ms', () => {
  const req = ACCEPT_MS + 1020
  assert.equal(line('%t|%tr|%T|%Tl|%trg|%trl|%Ts|%ms|%{+X}Ts|%{+X}ms', { requestDate: req, acceptDate: ACCEPT_MS - 980 }),
    '21/Nov/2026:11:15:42.005|21/Nov/2026:11:15:44.005|21/Nov/2026:05:45:42 +0000|21/Nov/2026:11:15:42 +0530|' +
    '21/Nov/2026:05:45:44 +0000|21/Nov/2026:11:15:44 +0530|1795239942|005|6B013006|05')
})

test('flags: +Q on text and not on numbers, +X on addresses, ports, pid and counters, +E escapes', () => {
  assert.equal(line('%{+Q}ci %{+Q}cp %{+Q}B %{+Q}ST %{+Q}ft %{+Q}CC %{+X}ci %{+X}cp %{+X}fp %{+X}B|%pid %{+X}pid|%rt %{+X}rt|%lc|%H|%ID|%{+Q}ID'),
    '"127.0.0.1" 40428 114 200 "fe" "" 7F000001 9DEC A26D 114|7748 1E44|0 0000|0|vm|-|""')
  assert.equal(line('%{+X}ci %{+X}fi', { clientIp: '::1', frontendIp: '2001:db8::ff:1' }),
    '00000000000000000000000000000001 20010DB8000000000000000000FF0001')
  assert.equal(line('%{+E}b %{+Q,+E}s %{+E}r', { beName: 'a"b\\c]d', srvName: 'x]', requestLine: 'GET /"] HTTP/1.1' }),
    'a\\"b\\\\c\\]d "x\\]" GET /#22] HTTP/1.1')
  assert.equal(line('%{+Q}o %ci %{-Q}f %b'), '"127.0.0.1" fe "bk"')
})

test('request parts are cut from the request line like HAProxy, with url encoding', () => {
  assert.equal(line('%HM|%HU|%HP|%HPO|%HQ|%HV|%{+Q}HM', { requestLine: 'GET /p/q?x="1" HTTP/1.1' }),
    'GET|/p/q?x=#221#22|/p/q|/p/q|?x=#221#22|HTTP/1.1|"GET"')
  assert.equal(line('%HPO|%HP|%HQ', { requestLine: 'GET http://h:1/a/b?c HTTP/1.1' }), '/a/b|http://h:1/a/b|?c')
  assert.equal(line('%HM|%HU|%HV|%HQ|%r', { requestLine: '<BADREQ>' }), '<BADREQ>|<BADREQ>|<BADREQ>|<BADREQ>|<BADREQ>')
  assert.equal(line('%HV', { requestLine: 'GET /' }), 'HTTP/0.9')
  assert.equal(line('%r', { requestLine: 'GET /\x01\xe9#x HTTP/1.1' }), 'GET /#01#E9#23x HTTP/1.1')
})

test('captures: %hr %hs blocks, %hrl %hsl lists, header encoding', () => {
  const caps = { reqCaptures: ['127.0.0.1:41581', 'a"b#c{d|e}f]g\\h', ''], resCaptures: ['abc'] }
  assert.equal(line('%hr|%{+Q}hr|%hrl|%{+Q}hrl|%hsl|%hs', caps),
    '{127.0.0.1:41581|a#22b#23c#7Bd#7Ce#7Df]g\\h|}|"{127.0.0.1:41581|a#22b#23c#7Bd#7Ce#7Df]g\\h|}"|' +
    '127.0.0.1:41581 a#22b#23c#7Bd#7Ce#7Df]g\\h -|"127.0.0.1:41581" "a#22b#23c#7Bd#7Ce#7Df]g\\h" ""|abc|{abc}')
})

test('timers, counters, server address, termination state', () => {
  const r = { Th: 2, Ti: 3, TR: 4, Tw: 5, Tc: 6, Tr: 7, Ta: 20, Tt: 30, srvconn: 9, beconn: 8, feconn: 7, actconn: 6, srvQueue: 1, beQueue: 2, termState: 'CD--', bytesIn: 77 }
  assert.equal(line('%Th %Ti %TR %Tq %Tw %Tc %Tr %Ta %Tt %Tu %Td %ac %fc %bc %sc %sq %bq %ts %tsc %U %si:%sp %f %b %s', r),
    '2 3 4 9 5 6 7 20 30 27 3 6 7 8 9 1 2 CD CD-- 77 127.0.0.1:41580 fe bk s1')
  assert.equal(line('%Tq %Td', { TR: -1, Tr: -1 }), '-1 -1')
  assert.equal(line('%si:%sp %bi:%bp', { serverIp: '', serverPort: 0 }), '-:- -:-')
  assert.equal(line('%bi:%bp', { beSrcIp: '127.0.0.1', beSrcPort: 34832 }), '127.0.0.1:34832')
  assert.equal(line('%{+X}sp', {}), 'A26C')
})

test('separators: runs of spaces print one space, empty fields do not double them', () => {
  assert.equal(line('a   b %hr %hs c', { reqCaptures: [], resCaptures: [] }), 'a b c')
  assert.equal(line('  x  '), 'x ')
  assert.equal(line('100%% %%'), '100% %')
})

test('%[expr] goes through compileSample, absent samples print - or ""', () => {
  const compileSample = (expr: string) => (v: StreamView) => expr === 'src' ? v.srcAddr : expr === 'bool' ? true : undefined
  const view: StreamView = { srcAddr: '10.1.2.3', srcPort: 1, dstAddr: '', dstPort: 0, feName: 'fe', beName: '', req: null, res: null, vars: new Map() }
  const w = compileLogFormat('%[src] %{+Q}[src] %[bool] %[var(txn.none)] %{+Q}[var(txn.none)] %[str(a\\ ])]', { compileSample })
  assert.equal(w(sampleRecord(), view), '10.1.2.3 "10.1.2.3" 1 - "" -')
  assert.equal(w(sampleRecord()), '- "" - - "" -')
  assert.throws(() => compileLogFormat('%[src]'), LogFormatError)
})

test('config errors: unknown alias, %digit, truncated %, missing ]', () => {
  assert.throws(() => compileLogFormat('%zz'), /no such format alias 'zz'/)
  assert.throws(() => compileLogFormat('%1'), /unexpected alias name/)
  assert.throws(() => compileLogFormat('abc %'), /truncated line/)
  assert.throws(() => compileLogFormat('%[src', { compileSample: () => () => 'x' }), /missing '\]'/)
  assert.throws(() => compileLogFormat('%{+Q} x'), /without alias name/)
})
