import { test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { createServer, connect, type Server, type Socket } from 'node:net'
import { startHaproxy, type RunningHaproxy } from '../../helpers/haproxy.ts'
import { startPocketlb } from '../../helpers/pocketlb.ts'
import { startSyslog } from '../../helpers/syslog.ts'
import { freePorts } from '../../helpers/net.ts'
import { until } from '../../helpers/wait.ts'
import type { Engine } from '../../../src/proxy/engine.ts'

// How a tunnel ends, as the log's termination state says it (%ts of tcplog,
// %tsc of httplog): a mode tcp connection, a websocket and a CONNECT tunnel, ended by the
// client or the server (FIN or RST), or by `timeout client`, `timeout server`
// or `timeout tunnel` while both sides are quiet. The whole log lines of
// HAProxy 2.6 and pocketlb are compared, client port, dates and times masked.

const SHORT = 300
const LONG = 1500

/** listen sections: name → timeouts (client, server, tunnel, client-fin and server-fin) */
const PROXIES = {
  plain: [LONG, LONG, 0],
  fin: [LONG, LONG, 0, SHORT],
  cli: [SHORT, LONG, 0],
  srv: [LONG, SHORT, 0],
  tun: [LONG, LONG, SHORT]
} as const
type ProxyName = keyof typeof PROXIES
type Mode = 'tcp' | 'http'
/** how the tunnel is opened: a mode tcp connection, or an HTTP request the server accepts */
type Opening = 'tcp' | 'websocket' | 'CONNECT'

const closers: (() => Promise<void>)[] = []
after(async () => { for (const c of closers.reverse()) await c() })

/** The application behind the proxies: in http mode it answers the upgrade
 *  with 101, or CONNECT with 200, first. Then it echoes, except "fin\n" (it closes its side) and
 *  "rst\n" (it resets the connection); it answers the client's FIN with its
 *  own, unless "stay\n" came (then it keeps its side open). */
function startApp (): Promise<Server> {
  const conns = new Set<Socket>()
  const srv = createServer({ allowHalfOpen: true }, s => {
    conns.add(s)
    s.on('close', () => conns.delete(s))
    s.on('error', () => {})
    let upgraded = false
    let stay = false
    s.on('end', () => { if (!stay) s.end() })
    s.on('data', d => {
      const text = d.toString('latin1')
      if (!upgraded && text.startsWith('GET ')) {
        upgraded = true
        s.write('HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n\r\n')
        return
      }
      if (!upgraded && text.startsWith('CONNECT ')) {
        upgraded = true
        s.write('HTTP/1.1 200 Connection established\r\n\r\n')
        return
      }
      upgraded = true
      if (text === 'fin\n') s.end()
      else if (text === 'rst\n') s.resetAndDestroy()
      else { stay ||= text === 'stay\n'; s.write(d) }
    })
  })
  closers.push(() => new Promise(resolve => { for (const s of conns) s.destroy(); srv.close(() => resolve()) }))
  return new Promise(resolve => srv.listen(0, '127.0.0.1', () => resolve(srv)))
}

const REQUEST: Record<Opening, string> = {
  tcp: '',
  websocket: 'GET /ws HTTP/1.1\r\nHost: a\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n' +
    'Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n',
  CONNECT: 'CONNECT db.example:5432 HTTP/1.1\r\nHost: db.example:5432\r\n\r\n'
}

type Ending = 'client-fin' | 'client-rst' | 'server-fin' | 'server-rst' | 'quiet' | 'client-fin, server stays' | 'server-fin, client stays'

/** Opens a tunnel through <port> (by an HTTP request first, but in tcp), exchanges one
 *  echo, then ends it by <ending>. The caller destroys the socket (a client that
 *  stays may never see a close). */
function tunnel (port: number, opening: Opening, ending: Ending): Socket {
  const s = connect({ port, host: '127.0.0.1', allowHalfOpen: ending === 'server-fin, client stays' })
  {
    let got = ''
    let phase = opening !== 'tcp' ? 'upgrade' : 'echo'
    s.on('error', () => {})
    const hello = ending === 'client-fin, server stays' ? 'stay\n' : 'hello\n'
    s.on('connect', () => s.write(opening !== 'tcp' ? REQUEST[opening] : hello))
    s.on('data', d => {
      got += d.toString('latin1')
      if (phase === 'upgrade' && got.includes('\r\n\r\n')) { phase = 'echo'; got = ''; s.write(hello); return }
      if (phase !== 'echo' || got !== hello) return
      phase = 'end'
      if (ending === 'client-fin' || ending === 'client-fin, server stays') s.end()
      else if (ending === 'client-rst') s.resetAndDestroy()
      else if (ending === 'server-fin' || ending === 'server-fin, client stays') s.write('fin\n')
      else if (ending === 'server-rst') s.write('rst\n')
    })
  }
  return s
}

/** A log line without what differs between two runs: client port, dates,
 *  times; the httplog's %B (HAProxy 2.6 counts its internal message size: a
 *  known difference, README) */
function masked (line: string): string {
  const msg = line.slice(line.indexOf(']: ') + 3)
  return msg
    .replace(/^([\d.]+):\d+ /, '$1:PORT ')
    .replace(/\[[^\]]+\]/, '[DATE]')
    .replace(/ (-?\d+(?:\/-?\d+){2,4}) /, (_m, t: string) => ' ' + t.split('/').map(x => (x === '-1' ? '-1' : 'T')).join('/') + ' ')
    .replace(/ (\d{3}) \d+ (- - \S{4} )/, ' $1 B $2')
}

/** The total time of a log line (tcplog %Tt, httplog %Ta: the last timer). */
const totalMs = (line: string): number => Number(/ -?\d+(?:\/-?\d+){2,4} /.exec(line)?.[0].trim().split('/').pop())

function finTimeouts (t: readonly number[]): string {
  return t[3] === undefined ? '' : `  timeout client-fin ${t[3]}ms\n  timeout server-fin ${t[3]}ms\n`
}

interface Side { port: Record<ProxyName, number>; lines: string[] }
const sides: Record<Mode, { hap: Side; plb: Side }> = {} as Record<Mode, { hap: Side; plb: Side }>

async function startBoth (mode: Mode, appPort: number): Promise<void> {
  const names = Object.keys(PROXIES) as ProxyName[]
  const ports = await freePorts(2 * names.length + 2)
  const hlog = await startSyslog(); closers.push(hlog.close)
  const plog = await startSyslog(); closers.push(plog.close)
  // listen sections from ports[base]; a probe listen after them (startHaproxy probes it, not them)
  const cfg = (base: number, logPort: number): string => `
defaults
  mode ${mode}
  log 127.0.0.1:${logPort} local0
  option ${mode}log
  timeout connect 1s
${names.map((n, i) => `listen ${n}
  bind 127.0.0.1:${ports[base + i]}
${PROXIES[n][0] > 0 ? `  timeout client ${PROXIES[n][0]}ms\n` : ''}${PROXIES[n][1] > 0 ? `  timeout server ${PROXIES[n][1]}ms\n` : ''}${PROXIES[n][2] > 0 ? `  timeout tunnel ${PROXIES[n][2]}ms\n` : ''}${finTimeouts(PROXIES[n])}  server s1 127.0.0.1:${appPort}
`).join('')}listen probe
  bind 127.0.0.1:${ports[base + names.length]}
  timeout client 1s
  timeout server 1s
  server s1 127.0.0.1:${appPort}
`
  const hap: RunningHaproxy = await startHaproxy(cfg(0, hlog.port), ports[names.length])
  closers.push(() => hap.stop())
  const plb: Engine = await startPocketlb(cfg(names.length + 1, plog.port))
  closers.push(() => plb.stop())
  const portsOf = (base: number): Record<ProxyName, number> =>
    Object.fromEntries(names.map((n, i) => [n, ports[base + i]])) as Record<ProxyName, number>
  sides[mode] = { hap: { port: portsOf(0), lines: hlog.lines }, plb: { port: portsOf(names.length + 1), lines: plog.lines } }
}

before(async () => {
  const app = await startApp()
  const a = app.address()
  const appPort = typeof a === 'object' && a !== null ? a.port : 0
  await startBoth('tcp', appPort)
  await startBoth('http', appPort)
})

/** The traffic lines of listen <name> */
const linesOf = (lines: string[], name: ProxyName): string[] => lines.filter(l => l.includes(` ${name} ${name}/`))

const cases: ReadonlyArray<readonly [Ending, ProxyName]> = [
  ['client-fin', 'plain'],
  ['client-rst', 'plain'],
  ['server-fin', 'plain'],
  ['server-rst', 'plain'],
  ['quiet', 'cli'],
  ['quiet', 'srv'],
  ['quiet', 'tun'],
  ['client-fin, server stays', 'cli'],
  ['client-fin, server stays', 'srv'],
  ['client-fin, server stays', 'tun'],
  ['server-fin, client stays', 'cli'],
  ['server-fin, client stays', 'srv'],
  ['server-fin, client stays', 'tun'],
  ['client-fin, server stays', 'fin'],
  ['server-fin, client stays', 'fin']
]

for (const opening of ['tcp', 'websocket', 'CONNECT'] as const) {
  const mode = opening === 'tcp' ? 'tcp' : 'http'
  for (const [ending, proxy] of cases) {
    const timeout = `timeout ${proxy === 'cli' ? 'client' : proxy === 'srv' ? 'server' : proxy === 'fin' ? 'client-fin/server-fin' : 'tunnel'}`
    test(`${opening} tunnel ended by ${ending === 'quiet' ? timeout : ending + (proxy === 'plain' ? '' : ` (${timeout})`)}: log line as HAProxy`, async () => {
      const { hap, plb } = sides[mode]
      const hBefore = linesOf(hap.lines, proxy).length
      const pBefore = linesOf(plb.lines, proxy).length
      const clients = [tunnel(hap.port[proxy], opening, ending), tunnel(plb.port[proxy], opening, ending)]
      await until(() => linesOf(hap.lines, proxy).length > hBefore && linesOf(plb.lines, proxy).length > pBefore, LONG + 2000)
      for (const c of clients) c.destroy()
      const h = linesOf(hap.lines, proxy).slice(hBefore)
      const p = linesOf(plb.lines, proxy).slice(pBefore)
      assert.equal(h.length, 1, 'haproxy lines:\n' + h.join('\n'))
      assert.equal(p.length, 1, 'pocketlb lines:\n' + p.join('\n'))
      assert.equal(masked(p[0]), masked(h[0]))
      // and at the same time (which timeout ended it)
      assert.ok(Math.abs(totalMs(p[0]) - totalMs(h[0])) < SHORT / 2, `haproxy : ${h[0]}\npocketlb: ${p[0]}`)
    })
  }
}
