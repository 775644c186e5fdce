import { test } from 'node:test'
import assert from 'node:assert/strict'
import { parseSize, parseTime } from '../../../src/config/durations.ts'
import { parseAddress, type AddressRules } from '../../../src/config/address.ts'
import { bestMatch } from '../../../src/config/suggest.ts'

test('durations with HAProxy units; plain numbers are ms', () => {
  assert.equal(parseTime('250'), 250)
  assert.equal(parseTime('1500us'), 2)
  assert.equal(parseTime('5ms'), 5)
  assert.equal(parseTime('5s'), 5000)
  assert.equal(parseTime('2m'), 120000)
  assert.equal(parseTime('1h'), 3600000)
  assert.equal(parseTime('1d'), 86400000)
  assert.equal(parseTime('30', 's'), 30000)
  assert.deepEqual(parseTime('5q'), { error: "unexpected character 'q'" })
  assert.deepEqual(parseTime('5sx'), { error: "unexpected character 'x'" })
  assert.deepEqual(parseTime('x'), { error: "unexpected character 'x'" })
  assert.ok(typeof parseTime('30d') === 'object')
})

test('sizes with k, m, g', () => {
  assert.equal(parseSize('16384'), 16384)
  assert.equal(parseSize('16k'), 16384)
  assert.equal(parseSize('1m'), 1048576)
  assert.equal(parseSize('1G'), 1073741824)
  assert.ok(typeof parseSize('1t') === 'object')
})

const BIND: AddressRules = { stream: 'tcp', portRequired: true, allowRange: true, allowUnix: true, allowFd: true }

test('bind address forms', () => {
  assert.deepEqual(parseAddress('127.0.0.1:80', BIND), { kind: 'tcp', host: '127.0.0.1', port: 80, portEnd: 80, hasPort: true })
  assert.deepEqual(parseAddress(':80', BIND), { kind: 'tcp', host: '', port: 80, portEnd: 80, hasPort: true })
  assert.deepEqual(parseAddress('*:80', BIND), { kind: 'tcp', host: '', port: 80, portEnd: 80, hasPort: true })
  assert.deepEqual(parseAddress('[::]:443', BIND), { kind: 'tcp', host: '::', port: 443, portEnd: 443, hasPort: true })
  assert.deepEqual(parseAddress('ipv6@::1:8080', BIND), { kind: 'tcp', host: '::1', port: 8080, portEnd: 8080, hasPort: true })
  assert.deepEqual(parseAddress('ipv4@127.0.0.1:81-85', BIND), { kind: 'tcp', host: '127.0.0.1', port: 81, portEnd: 85, hasPort: true })
  assert.deepEqual(parseAddress('unix@/run/x.sock', BIND), { kind: 'unix', path: '/run/x.sock' })
  assert.deepEqual(parseAddress('/run/x.sock', BIND), { kind: 'unix', path: '/run/x.sock' })
  assert.deepEqual(parseAddress('fd@3', BIND), { kind: 'fd', fd: 3 })
  assert.deepEqual(parseAddress('localhost:80', BIND), { kind: 'tcp', host: '127.0.0.1', port: 80, portEnd: 80, hasPort: true })
  assert.ok('error' in parseAddress('127.0.0.1', BIND))
  assert.ok('error' in parseAddress('127.0.0.1:70000', BIND))
  assert.ok('error' in parseAddress('127.0.0.1:90-80', BIND))
  assert.ok('error' in parseAddress('foo@x', BIND))
  assert.ok('error' in parseAddress('no-such-host.invalid:80', BIND))
})

test('did-you-mean suggestions', () => {
  assert.equal(bestMatch('balanse', ['balance', 'bind', 'server']), 'balance')
  assert.equal(bestMatch('defualt_backend', ['default_backend', 'use_backend']), 'default_backend')
  assert.equal(bestMatch('zzzzzzzz', ['balance', 'bind']), null)
})
