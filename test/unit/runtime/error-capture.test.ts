import { test } from 'node:test'
import assert from 'node:assert/strict'
import { dumpLines, locateError } from '../../../src/runtime/error-capture.ts'

const b = (s: string): Buffer => Buffer.from(s, 'latin1')

test('error position and H1 state of invalid heads', () => {
  assert.deepEqual(locateError(b('GET\x01 / HTTP/1.1\r\n\r\n'), false), { state: 2, errorAt: 3 })
  assert.deepEqual(locateError(b('GET / HTTP/1.1\r\nho st: x\r\n\r\n'), false), { state: 17, errorAt: 18 })
  assert.deepEqual(locateError(b('GET / HTTP/1.1\r\nnocolon\r\n\r\n'), false), { state: 17, errorAt: 23 })
  assert.deepEqual(locateError(b('GET / HTTP/1.1\r\na: b\x01c\r\n\r\n'), false), { state: 22, errorAt: 20 })
  assert.deepEqual(locateError(b('GET /a b HTTP/1.1\r\n\r\n'), false), { state: 6, errorAt: 7 })
  assert.deepEqual(locateError(b('HTTP/1.1 2x0 OK\r\n\r\n'), true), { state: 12, errorAt: 10 })
  // nothing wrong in what came (a head too large): the end of the bytes
  assert.deepEqual(locateError(b('GET / HTTP/1.1\r\na: b\r\n'), false), { state: 17, errorAt: 22 })
  assert.deepEqual(locateError(b('GET / HTTP/1.1\r\nx: aaaa'), false), { state: 22, errorAt: 23 })
})

test('dump lines: offsets, escapes, long lines continued with +', () => {
  assert.equal(dumpLines(b('GET\\ /\t\x1b\xff\r\nok')), '  00000  GET\\\\ /\\t\\e\\xFF\\r\\n\n  00011  ok\n')
  const long = 'x'.repeat(100) + '\n'
  const lines = dumpLines(b(long)).split('\n')
  assert.equal(lines[0], '  00000  ' + 'x'.repeat(70))
  assert.equal(lines[0].length, 79)
  assert.equal(lines[1], '  00070+ ' + 'x'.repeat(30) + '\\n')
  // an escape that does not fit goes whole to the next line
  const esc = dumpLines(b('y'.repeat(69) + '\x01'))
  assert.equal(esc, '  00000  ' + 'y'.repeat(69) + '\n  00069+ \\x01\n')
})
