// Expected framings are the datagrams haproxy 2.6.12 sent for the same tag/pid/time.
process.env.TZ = 'UTC'
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { compileSyslogFraming, datagram, stripTrailingNewlines, syslogPri } from '../../../src/log/syslog.ts'
import type { SyslogIdent } from '../../../src/log/syslog.ts'

const NOW = Date.UTC(2026, 10, 21, 5, 45, 42, 990) + 0.122 // .990122
const ident: SyslogIdent = { tag: 'haproxy', pid: 6292, hostname: null }
const MSG = '127.0.0.1:40428 [21/Nov/2026:05:45:42.985] fe bk/s1 0/0/0/4/4 200 114 - - ---- 1/1/0/0/0 0/0 "GET / HTTP/1.1"'

test('PRI = facility * 8 + level', () => {
  assert.equal(syslogPri(16, 6), 134)
  assert.equal(syslogPri(0, 0), 0)
  assert.equal(syslogPri(23, 7), 191)
})

test('every format frames like HAProxy 2.6', () => {
  const f = (fmt: Parameters<typeof compileSyslogFraming>[0], fac: number, id = ident) => compileSyslogFraming(fmt, fac, id)(6, MSG, NOW)
  assert.equal(f('rfc3164', 16), '<134>Nov 21 05:45:42 haproxy[6292]: ' + MSG)
  assert.equal(f('rfc3164', 16, { ...ident, hostname: 'lb1' }), '<134>Nov 21 05:45:42 lb1 haproxy[6292]: ' + MSG)
  assert.equal(compileSyslogFraming('rfc3164', 16, ident, true)(6, MSG, NOW), '<134>Nov 21 05:45:42 localhost haproxy[6292]: ' + MSG)
  assert.equal(f('local', 23, { ...ident, hostname: 'lb1' }), '<190>Nov 21 05:45:42 haproxy[6292]: ' + MSG)
  assert.equal(f('rfc5424', 17), '<142>1 2026-11-21T05:45:42.990122+00:00 - haproxy 6292 - - ' + MSG)
  assert.equal(f('rfc5424', 17, { ...ident, hostname: 'lb1' }), '<142>1 2026-11-21T05:45:42.990122+00:00 lb1 haproxy 6292 - - ' + MSG)
  assert.equal(f('short', 18), '<6>' + MSG)
  assert.equal(f('raw', 19), MSG)
  assert.equal(f('priority', 20), '<166>' + MSG)
  assert.equal(f('timed', 21), '<6>2026-11-21T05:45:42.990122+00:00 ' + MSG)
  assert.equal(f('iso', 22), '2026-11-21T05:45:42.990122+00:00 ' + MSG)
})

test('rfc3164 pads single-digit days with a space', () => {
  const frame = compileSyslogFraming('rfc3164', 0, ident)
  assert.equal(frame(3, 'x', Date.UTC(2026, 0, 5, 1, 2, 3)), '<3>Jan  5 01:02:03 haproxy[6292]: x')
})

test('datagrams are cut to len bytes and end with one newline', () => {
  const framed = compileSyslogFraming('rfc5424', 17, ident)(6, MSG, NOW)
  const d = datagram(framed, 80)
  assert.equal(d.length, 81)
  assert.equal(d.toString(), '<142>1 2026-11-21T05:45:42.990122+00:00 - haproxy 6292 - - 127.0.0.1:40428 [21/N\n')
  assert.equal(datagram('abc', 1024).toString(), 'abc\n')
  // a multi-byte char that does not fit is left out whole
  assert.equal(datagram('ab\u00e9', 3).toString(), 'ab\n')
  assert.equal(stripTrailingNewlines('x\n\n'), 'x')
  assert.equal(stripTrailingNewlines('x'), 'x')
})
