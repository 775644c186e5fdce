process.env.TZ = 'UTC'
import { test } from 'node:test'
import assert from 'node:assert/strict'
import dgram from 'node:dgram'
import type { AddressInfo } from 'node:net'
import { LogSink } from '../../../src/log/sink.ts'
import type { LogTarget } from '../../../src/config/plan.ts'

const NOW = Date.UTC(2026, 10, 21, 5, 45, 42, 990)
const clock = { now: () => 0, wall: () => NOW }

function target (port: number, over: Partial<LogTarget> = {}): LogTarget {
  return { kind: 'udp', host: '127.0.0.1', port, path: '', maxLen: 1024, format: 'rfc3164', facility: 16,
    maxLevel: 7, minLevel: 0, where: { file: 't.cfg', line: 1 }, ...over }
}

async function receiver (): Promise<{ sock: dgram.Socket; port: number; got: string[] }> {
  const sock = dgram.createSocket('udp4')
  const got: string[] = []
  sock.on('message', m => got.push(m.toString()))
  await new Promise<void>(resolve => sock.bind(0, '127.0.0.1', resolve))
  return { sock, port: (sock.address() as AddressInfo).port, got }
}

async function until (cond: () => boolean): Promise<void> {
  for (let i = 0; i < 100 && !cond(); i++) await new Promise(resolve => setTimeout(resolve, 10))
}

test('level filtering: above maxLevel dropped, below minLevel raised to minLevel', async (t) => {
  const r = await receiver()
  const sink = new LogSink([
    target(r.port, { maxLevel: 4, facility: 16 }),
    target(r.port, { minLevel: 3, facility: 17, format: 'priority' })
  ], { tag: 'plb', hostname: null, pid: 42, clock })
  t.after(async () => { await sink.close(); r.sock.close() })
  sink.send(6, 'info line\n')
  sink.send(0, 'emerg line')
  assert.equal(sink.wants(6), true)
  await until(() => r.got.length >= 3)
  assert.deepEqual(r.got.sort(), [
    '<128>Nov 21 05:45:42 plb[42]: emerg line\n',
    '<139>emerg line\n',
    '<142>info line\n'
  ])
  assert.equal(new LogSink([target(r.port, { maxLevel: 3 })], { tag: 'x', hostname: null }).wants(6), false)
})

test('truncation to len, hostname, and errors counted instead of thrown', async (t) => {
  const r = await receiver()
  const sink = new LogSink([target(r.port, { maxLen: 90, format: 'rfc5424', facility: 1 })], { tag: 'plb', hostname: 'lb1', pid: 7, clock })
  t.after(async () => { await sink.close(); r.sock.close() })
  sink.send(5, 'x'.repeat(200))
  await until(() => r.got.length >= 1)
  const head = '<13>1 2026-11-21T05:45:42.990000+00:00 lb1 plb 7 - - '
  assert.equal(r.got[0], head + 'x'.repeat(90 - head.length) + '\n')
  await sink.close()
  assert.doesNotThrow(() => sink.send(5, 'after close'))
  assert.equal(sink.errors, 1)
})

test('unix datagram targets are counted as unsupported', async (t) => {
  const sink = new LogSink([target(0, { kind: 'unix', path: '/nonexistent/plb-log' })], { tag: 'plb', hostname: null })
  t.after(() => sink.close())
  sink.send(6, 'x')
  assert.equal(sink.unsupported, 1)
})

test('lines sent before the socket is connected wait for it, in order, up to 256', async (t) => {
  const r = await receiver()
  const sink = new LogSink([target(r.port, { format: 'raw' })], { tag: 'plb', hostname: null, clock })
  t.after(() => { r.sock.close() })
  for (let i = 0; i < 300; i++) sink.send(6, `line ${i}`)
  assert.equal(sink.errors, 300 - 256, 'the lines beyond the bound are counted as failed')
  await sink.close()
  await until(() => r.got.length >= 256)
  assert.deepEqual(r.got, Array.from({ length: 256 }, (_, i) => `line ${i}\n`))
})
