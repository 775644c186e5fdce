// Differential test against the real HAProxy 2.6: haproxy logs httplog / tcplog /
// connect lines over UDP in several syslog formats; each datagram is parsed back
// into a LogRecord, re-formatted with our formatter and framing (same tag, pid and
// header time) and must be byte-identical.
process.env.TZ = 'UTC'
import { test } from 'node:test'
import assert from 'node:assert/strict'
import dgram from 'node:dgram'
import http from 'node:http'
import net from 'node:net'
import { spawn } from 'node:child_process'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { AddressInfo } from 'node:net'
import { compileLogFormat } from '../../../src/log/format.ts'
import { compileSyslogFraming, datagram } from '../../../src/log/syslog.ts'
import type { SyslogFormat } from '../../../src/log/syslog.ts'
import type { LogRecord } from '../../../src/log/types.ts'

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec']
/** facility → (format, len) of the global `log` lines below */
const TARGETS: Record<number, { format: SyslogFormat; len: number }> = {
  16: { format: 'rfc3164', len: 1024 },
  17: { format: 'rfc5424', len: 100 },
  18: { format: 'short', len: 1024 },
  19: { format: 'raw', len: 1024 },
  20: { format: 'priority', len: 1024 },
  21: { format: 'timed', len: 1024 },
  22: { format: 'iso', len: 1024 },
  23: { format: 'local', len: 80 }
}

const unhash = (s: string): string => s.replace(/#([0-9A-F]{2})/g, (_m, h: string) => String.fromCharCode(parseInt(h, 16)))
const logDateMs = (d: string): number => {
  const m = /^(\d\d)\/(\w{3})\/(\d{4}):(\d\d):(\d\d):(\d\d)\.(\d{3})$/.exec(d)
  assert.ok(m, `date ${d}`)
  return Date.UTC(+m[3], MONTHS.indexOf(m[2]), +m[1], +m[4], +m[5], +m[6], +m[7])
}

function baseRecord (): LogRecord {
  return {
    clientIp: '', clientPort: 0, frontendIp: '', frontendPort: 0, acceptDate: 0, requestDate: 0, feName: '', feSsl: false,
    beName: '', srvName: '', serverIp: '', serverPort: 0, TR: -1, Tw: -1, Tc: -1, Tr: -1, Ta: -1, Tt: -1, Th: 0, Ti: 0,
    status: -1, bytesOut: 0, bytesIn: 0, capturedReqCookie: '-', capturedResCookie: '-', termState: '----',
    actconn: 0, feconn: 0, beconn: 0, srvconn: 0, retries: 0, redispatched: false, srvQueue: 0, beQueue: 0,
    reqCaptures: [], resCaptures: [], requestLine: '', method: '', uri: '', httpVersion: '', uniqueId: ''
  }
}

const HTTPLOG = /^(\S+):(\d+) \[(\S+)\] (\S+?)(~?) (\S+)\/(\S+) (-?\d+)\/(-?\d+)\/(-?\d+)\/(-?\d+)\/(-?\d+) (-?\d+) (\d+) (\S+) (\S+) (\S{4}) (\d+)\/(\d+)\/(\d+)\/(\d+)\/(\+?)(\d+) (\d+)\/(\d+)(?: \{([^}]*)\} \{([^}]*)\})? "(.*)"$/
const TCPLOG = /^(\S+):(\d+) \[(\S+)\] (\S+?)(~?) (\S+)\/(\S+) (-?\d+)\/(-?\d+)\/(-?\d+) (\d+) (\S\S) (\d+)\/(\d+)\/(\d+)\/(\d+)\/(\+?)(\d+) (\d+)\/(\d+)$/
const CONNECT = /^Connect from (\S+):(\d+) to (\S+):(\d+) \((\S+)\/(HTTP|TCP)\)$/

/** HAProxy's line → (record, format name, mode) */
function parseLine (msg: string): { rec: LogRecord; fmt: string; mode: 'http' | 'tcp' } {
  const rec = baseRecord()
  let m = HTTPLOG.exec(msg)
  if (m) {
    Object.assign(rec, {
      clientIp: m[1], clientPort: +m[2], requestDate: logDateMs(m[3]), feName: m[4], feSsl: m[5] === '~', beName: m[6], srvName: m[7],
      TR: +m[8], Tw: +m[9], Tc: +m[10], Tr: +m[11], Ta: +m[12], status: +m[13], bytesOut: +m[14],
      capturedReqCookie: m[15], capturedResCookie: m[16], termState: m[17],
      actconn: +m[18], feconn: +m[19], beconn: +m[20], srvconn: +m[21], redispatched: m[22] === '+', retries: +m[23],
      srvQueue: +m[24], beQueue: +m[25],
      reqCaptures: m[26] === undefined ? [] : m[26].split('|').map(unhash),
      resCaptures: m[27] === undefined ? [] : m[27].split('|').map(unhash),
      requestLine: unhash(m[28])
    })
    return { rec, fmt: 'httplog', mode: 'http' }
  }
  m = TCPLOG.exec(msg)
  if (m) {
    Object.assign(rec, {
      clientIp: m[1], clientPort: +m[2], acceptDate: logDateMs(m[3]), feName: m[4], feSsl: m[5] === '~', beName: m[6], srvName: m[7],
      Tw: +m[8], Tc: +m[9], Tt: +m[10], bytesOut: +m[11], termState: m[12] + '--',
      actconn: +m[13], feconn: +m[14], beconn: +m[15], srvconn: +m[16], redispatched: m[17] === '+', retries: +m[18],
      srvQueue: +m[19], beQueue: +m[20]
    })
    return { rec, fmt: 'tcplog', mode: 'tcp' }
  }
  m = CONNECT.exec(msg)
  assert.ok(m, `unrecognised line: ${msg}`)
  Object.assign(rec, { clientIp: m[1], clientPort: +m[2], frontendIp: m[3], frontendPort: +m[4], feName: m[5] })
  return { rec, fmt: 'default', mode: m[6] === 'TCP' ? 'tcp' : 'http' }
}

/** Splits a datagram into (header time in ms, tag, pid, message) by its format */
function parseHeader (fmt: SyslogFormat, d: string): { now: number; pid: number; msg: string } {
  const iso = '(\\d{4})-(\\d\\d)-(\\d\\d)T(\\d\\d):(\\d\\d):(\\d\\d)\\.(\\d{6})\\+00:00'
  const isoMs = (m: RegExpExecArray, i: number): number =>
    Date.UTC(+m[i], +m[i + 1] - 1, +m[i + 2], +m[i + 3], +m[i + 4], +m[i + 5]) + +m[i + 6] / 1000
  let m: RegExpExecArray | null
  switch (fmt) {
    case 'rfc3164': case 'local':
      m = /^<\d+>(\w{3}) ([ \d]\d) (\d\d):(\d\d):(\d\d) (?:localhost )?haproxy\[(\d+)\]: ([^]*)\n$/.exec(d)
      assert.ok(m, d)
      return { now: Date.UTC(new Date().getUTCFullYear(), MONTHS.indexOf(m[1]), +m[2], +m[3], +m[4], +m[5]), pid: +m[6], msg: m[7] }
    case 'rfc5424':
      m = new RegExp(`^<\\d+>1 ${iso} - haproxy (\\d+) - - ([^]*)\\n$`).exec(d)
      assert.ok(m, d)
      return { now: isoMs(m, 1), pid: +m[8], msg: m[9] }
    case 'timed': case 'iso':
      m = new RegExp(`^(?:<\\d>)?${iso} ([^]*)\\n$`).exec(d)
      assert.ok(m, d)
      return { now: isoMs(m, 1), pid: 0, msg: m[8] }
    default:
      m = /^(?:<\d+>)?([^]*)\n$/.exec(d)
      assert.ok(m, d)
      return { now: 0, pid: 0, msg: m[1] }
  }
}

async function freePort (): Promise<number> {
  const srv = net.createServer()
  await new Promise<void>(resolve => srv.listen(0, '127.0.0.1', resolve))
  const port = (srv.address() as AddressInfo).port
  await new Promise(resolve => srv.close(resolve))
  return port
}

function get (port: number, path: string, headers: Record<string, string> = {}): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = http.get({ host: '127.0.0.1', port, path, headers, agent: false }, res => { res.resume(); res.on('end', () => resolve(res.statusCode ?? 0)) })
    req.on('error', reject)
  })
}

function tcpExchange (port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const c = net.connect(port, '127.0.0.1', () => c.end('GET /tcp HTTP/1.0\r\n\r\n'))
    c.on('data', () => {}); c.on('close', () => resolve()); c.on('error', reject)
  })
}

test('httplog, tcplog and connect lines in 8 syslog formats are byte-identical to HAProxy 2.6', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'plb-log-'))
  const udp = dgram.createSocket('udp4')
  const got: Buffer[] = []
  udp.on('message', m => got.push(m))
  await new Promise<void>(resolve => udp.bind(0, '127.0.0.1', resolve))
  const udpPort = (udp.address() as AddressInfo).port
  const backend = http.createServer((q, r) => { r.setHeader('X-Res', 'a|b"c'); r.statusCode = q.url === '/404' ? 404 : 200; r.end('hello') })
  await new Promise<void>(resolve => backend.listen(0, '127.0.0.1', resolve))
  const bePort = (backend.address() as AddressInfo).port
  const [p1, p2, p3, p4] = [await freePort(), await freePort(), await freePort(), await freePort()]
  const logs = Object.entries(TARGETS).map(([fac, { format, len }]) => `  log 127.0.0.1:${udpPort} len ${len} format ${format} local${+fac - 16}`).join('\n')
  const cfg = join(dir, 'haproxy.cfg')
  writeFileSync(cfg, `global
${logs}
defaults
  mode http
  log global
  timeout client 5s
  timeout server 5s
  timeout connect 5s
frontend fe
  bind 127.0.0.1:${p1}
  option httplog
  capture request header Host len 20
  capture request header User-Agent len 10
  capture response header X-Res len 10
  default_backend bk
frontend fe2
  bind 127.0.0.1:${p2}
  option httplog
  default_backend bk2
frontend fetcp
  bind 127.0.0.1:${p3}
  mode tcp
  option tcplog
  default_backend bktcp
frontend feconn
  bind 127.0.0.1:${p4}
  mode tcp
  default_backend bktcp
backend bk
  server s1 127.0.0.1:${bePort}
backend bk2
  server s1 127.0.0.1:${bePort} disabled
backend bktcp
  mode tcp
  server s1 127.0.0.1:${bePort}
`)
  const hap = spawn('haproxy', ['-f', cfg, '-db'], { stdio: ['ignore', 'ignore', 'pipe'], env: { ...process.env, TZ: 'UTC' } })
  let stderr = ''
  hap.stderr.on('data', (c: Buffer) => { stderr += c.toString() })
  t.after(async () => {
    if (hap.exitCode === null && hap.pid) process.kill(hap.pid, 'SIGTERM')
    await new Promise<void>(resolve => backend.close(() => resolve()))
    udp.close()
    rmSync(dir, { recursive: true, force: true })
  })
  // wait for the listeners (bounded)
  for (let i = 0; ; i++) {
    try { await get(p2, '/ready'); break } catch { if (i > 50) assert.fail(`haproxy did not start: ${stderr}`) }
    await new Promise(resolve => setTimeout(resolve, 100))
  }
  await new Promise(resolve => setTimeout(resolve, 300)) // the probe's own log lines
  got.length = 0

  assert.equal(await get(p1, '/a?b=c%22', { 'User-Agent': 'curl/long-user-agent', 'X-Odd': 'x' }), 200)
  assert.equal(await get(p1, '/404', { 'User-Agent': 'x{y}|z"#' }), 404)
  assert.equal(await get(p2, '/x'), 503)
  await tcpExchange(p3)
  await tcpExchange(p4)
  const expected = 5 * Object.keys(TARGETS).length
  for (let i = 0; got.length < expected && i < 50; i++) await new Promise(resolve => setTimeout(resolve, 100))
  assert.equal(got.length, expected, `datagrams received: ${got.map(b => b.toString()).join('')}`)

  const seen = new Set<string>()
  for (const bytes of got) {
    const text = bytes.toString('latin1')
    const pri = /^<(\d+)>/.exec(text)
    // facility from PRI; short/timed carry the level only, raw/iso nothing: find the target by shape
    let fac: number
    if (pri && +pri[1] >= 128) fac = Math.floor(+pri[1] / 8)
    else if (pri) fac = /^<\d>\d{4}-/.test(text) ? 21 : 18
    else fac = /^\d{4}-\d\d-\d\dT/.test(text) ? 22 : 19
    const { format, len } = TARGETS[fac]
    const level = pri ? +pri[1] % 8 : 6
    assert.equal(level, 6, 'access logs are sent at info')
    const h = parseHeader(format, text)
    if (len === 1024) { // lines cut by a short len cannot be parsed back: they are checked below
      const { rec, fmt, mode } = parseLine(h.msg)
      const line = compileLogFormat(fmt, { mode })(rec)
      assert.equal(line, h.msg, `${format}: formatted line`)
      seen.add(`${format}:${fmt}`)
    }
    if (format === 'rfc3164' || format === 'raw') {
      const framed = compileSyslogFraming(format, fac, { tag: 'haproxy', pid: h.pid, hostname: null }, true)(level, h.msg, h.now)
      assert.ok(datagram(framed, len).equals(bytes), `${format}: framing`)
    }
  }
  // cut datagrams: the same header and message as the rfc3164 copy, cut by the target's len
  const full = got.map(b => b.toString('latin1')).filter(s => /^<134>/.test(s)).map(s => parseHeader('rfc3164', s))
  for (const bytes of got) {
    const text = bytes.toString('latin1')
    for (const fac of [17, 23]) {
      if (!text.startsWith(`<${fac * 8 + 6}>`)) continue
      const { format, len } = TARGETS[fac]
      const h = parseHeader(format, text)
      const ok = full.some(f => {
        const framed = compileSyslogFraming(format, fac, { tag: 'haproxy', pid: f.pid, hostname: null })(6, f.msg, h.now)
        return datagram(framed, len).equals(bytes)
      })
      assert.ok(ok, `${format} len ${len}: no full line reproduces ${JSON.stringify(text)}`)
      seen.add(`${format}:cut`)
    }
  }
  for (const f of ['rfc3164', 'short', 'raw', 'priority', 'timed', 'iso']) {
    for (const k of ['httplog', 'tcplog', 'default']) assert.ok(seen.has(`${f}:${k}`), `compared ${f}:${k}`)
  }
  assert.ok(seen.has('rfc5424:cut') && seen.has('local:cut'))
})
