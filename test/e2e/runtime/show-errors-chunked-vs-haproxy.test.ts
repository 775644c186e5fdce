/** `show errors` and the log lines of requests and responses whose chunked body
 *  is invalid, compared with HAProxy 2.6: a bad chunk size, a chunk without its
 *  CRLF, a size that overflows, a trailer that is no header field, the body
 *  coming in the read of the head or in a later one. Each case goes to its own
 *  proxy (`show errors` keeps the last error of each); times, client ports and
 *  the H1 mux flag words are masked, everything else must be the same. */
import { test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { mkdirSync } from 'node:fs'
import { createServer, connect, type Server, type Socket } from 'node:net'
import { join } from 'node:path'
import { freePorts } from '../../helpers/net.ts'
import { startSyslog } from '../../helpers/syslog.ts'
import { sleep, until } from '../../helpers/wait.ts'
import { startOurs, startHaproxy, cli, configHead, tempDir } from './helpers.ts'

const HEAD = 'POST /up HTTP/1.1\r\nhost: a\r\ntransfer-encoding: chunked\r\n\r\n'
/** proxy name → the reads the client sends (100 ms apart) */
const CASES: Readonly<Record<string, readonly string[]>> = {
  sizeWithHead: [HEAD + 'zz\r\nabc\r\n0\r\n\r\n'],
  sizeLater: [HEAD, '3\r\nabc\r\n', '5x\r\n'],
  crlfWithHead: [HEAD + '3\r\nabcX\r\n'],
  overflowLater: [HEAD, 'fffffffffffffffff\r\n'],
  trailerLater: [HEAD, '3\r\nabc\r\n0\r\nnot a field\r\n\r\n'],
  trailerWithHead: [HEAD + '0\r\nx: 1\rX\r\n\r\n']
}
const RES_HEAD = 'HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n\r\n'
/** proxy name → the reads its server answers a GET with (100 ms apart) */
const RESPONSES: Readonly<Record<string, readonly string[]>> = {
  resSizeWithHead: [RES_HEAD + 'zz\r\n'],
  resSizeLater: [RES_HEAD, '3\r\nabc\r\n', '5x\r\n'],
  resTrailerLater: [RES_HEAD + '3\r\nabc\r\n', '0\r\nnot a field\r\n\r\n']
}
const GET = 'GET / HTTP/1.1\r\nhost: a\r\n\r\n'
const ALL = [...Object.keys(CASES), ...Object.keys(RESPONSES)]

const dir = tempDir()
const closers: (() => Promise<void>)[] = []
after(async () => { for (const c of closers.reverse()) await c(); dir.remove() })

interface Side { sock: string; ports: Record<string, number>; lines: string[] }
const sides: Side[] = []

/** A server that reads requests and never answers (the client's body fails first). */
async function startSink (): Promise<number> {
  const conns = new Set<Socket>()
  const srv: Server = createServer(c => { conns.add(c); c.on('close', () => conns.delete(c)); c.on('error', () => {}); c.resume() })
  await new Promise<void>(resolve => srv.listen(0, '127.0.0.1', () => resolve()))
  closers.push(() => new Promise(resolve => { for (const c of conns) c.destroy(); srv.close(() => resolve()) }))
  return (srv.address() as { port: number }).port
}

/** Writes <reads> on <s> 100 ms apart. */
function trickle (s: Socket, reads: readonly string[]): void {
  let i = 0
  const next = (): void => { if (i < reads.length && !s.destroyed) { s.write(reads[i++]); setTimeout(next, 100) } }
  next()
}

/** A server answering any request with <reads>. */
async function startReplying (reads: readonly string[]): Promise<number> {
  const conns = new Set<Socket>()
  const srv: Server = createServer(c => { conns.add(c); c.on('close', () => conns.delete(c)); c.on('error', () => {}); c.once('data', () => trickle(c, reads)) })
  await new Promise<void>(resolve => srv.listen(0, '127.0.0.1', () => resolve()))
  closers.push(() => new Promise(resolve => { for (const c of conns) c.destroy(); srv.close(() => resolve()) }))
  return (srv.address() as { port: number }).port
}

/** Sends <reads> 100 ms apart; resolves with the answer once the proxy closed
 *  (or 1 s after the last read: a 502 leaves the connection open). */
function send (port: number, reads: readonly string[]): Promise<string> {
  return new Promise(resolve => {
    const s = connect(port, '127.0.0.1')
    let got = ''
    const guard = setTimeout(() => s.destroy(), 100 * reads.length + 1000)
    s.on('data', d => { got += d.toString('latin1') })
    s.on('error', () => {})
    s.on('close', () => { clearTimeout(guard); resolve(got) })
    s.on('connect', () => trickle(s, reads))
  })
}

before(async () => {
  const sink = await startSink()
  const replying: Record<string, number> = {}
  for (const [c, reads] of Object.entries(RESPONSES)) replying[c] = await startReplying(reads)
  for (const name of ['haproxy', 'ours']) {
    mkdirSync(join(dir.path, name))
    const logs = await startSyslog()
    closers.push(logs.close)
    const ports = await freePorts(ALL.length + 1)
    const byCase = Object.fromEntries(ALL.map((c, i) => [c, ports[i]]))
    const sock = join(dir.path, name, 'admin.sock')
    const cfg = configHead(sock, 'http', `  log 127.0.0.1:${logs.port} local0\n  option httplog\n`) +
      ALL.map(c => `listen ${c}\n  bind 127.0.0.1:${byCase[c]}\n  server s1 127.0.0.1:${replying[c] ?? sink}\n`).join('') +
      // startHaproxy probes this one (its probe is logged: the cases' proxies stay clean)
      `listen probe\n  bind 127.0.0.1:${ports[ports.length - 1]}\n  server s1 127.0.0.1:${sink}\n`
    const d = join(dir.path, name)
    const stop = name === 'haproxy' ? (await startHaproxy(cfg, d, ports[ports.length - 1])).stop : (await startOurs(cfg, d)).stop
    closers.push(stop)
    sides.push({ sock, ports: byCase, lines: logs.lines })
  }
  for (const c of ALL) {
    const reads = CASES[c] ?? [GET]
    const [h, o] = [await send(sides[0].ports[c], reads), await send(sides[1].ports[c], reads)]
    assert.match(h, /^HTTP\/1\.1 (400|502|200) /, c)
    assert.equal(o, h, `${c}: the same answer`)
  }
  const count = (s: Side): number => s.lines.filter(l => !l.includes(' probe ')).length
  await until(() => sides.every(s => count(s) >= ALL.length), 2000)
  await sleep(50)
})

/** show errors with its variable parts masked. */
function maskedErrors (text: string): string {
  return text.replace(/\[\d\d\/\w{3}\/\d{4}:\d\d:\d\d:\d\d\.\d{3}\]/g, '[DATE]')
    .replace(/src 127\.0\.0\.1:\d+/g, 'src 127.0.0.1:PORT')
    .replace(/flags 0x[0-9a-f]{8}/g, 'flags 0xFLAGS')
}

/** An httplog line without client port, dates, times (but -1) and %B (but 0: HAProxy counts its internal size). */
function maskedLog (line: string): string {
  const f = line.slice(line.indexOf(']: ') + 3).split(' ')
  f[0] = f[0].replace(/:\d+$/, ':PORT')
  f[1] = '[DATE]'
  f[4] = f[4].split('/').map(t => (t === '-1' ? t : 'T')).join('/')
  if (f[6] !== '0') f[6] = 'B'
  return f.join(' ')
}

test('show errors captures invalid chunked request bodies as HAProxy 2.6', async () => {
  const h = maskedErrors(await cli(sides[0].sock, 'show errors'))
  const o = maskedErrors(await cli(sides[1].sock, 'show errors'))
  assert.equal(h.match(/invalid request/g)?.length, Object.keys(CASES).length, h)
  assert.equal(h.match(/invalid response/g)?.length, Object.keys(RESPONSES).length, h)
  assert.match(h, /MSG_CHUNK_SIZE\(26\)[^]*MSG_CHUNK_CRLF\(28\)[^]*MSG_TRAILERS\(29\)/)
  assert.equal(o, h)
})

test('the log lines of those requests are HAProxy\'s', async () => {
  const lines = (s: Side): string[] => s.lines.filter(l => !l.includes(' probe ')).map(maskedLog)
  assert.equal(lines(sides[0]).length, ALL.length, sides[0].lines.join(''))
  assert.deepEqual(lines(sides[1]), lines(sides[0]))
})
