/** Killing a server's sessions, compared with HAProxy 2.6: `shutdown sessions
 *  server` on the admin socket and the stats page's "Kill Sessions" action cut
 *  the tunnels through that server at once (not the others'), and the log's
 *  termination codes match. */
import { test, after } from 'node:test'
import assert from 'node:assert/strict'
import { createServer, connect, type Server, type Socket } from 'node:net'
import { join } from 'node:path'
import { startHaproxy, type RunningHaproxy } from '../../helpers/haproxy.ts'
import { freePorts, rawExchange } from '../../helpers/net.ts'
import { startSyslog } from '../../helpers/syslog.ts'
import { cli, startOurs, tempDir } from './helpers.ts'

const closers: (() => Promise<void> | void)[] = []
const dir = tempDir()
after(async () => { for (const c of closers.reverse()) await c(); dir.remove() })

async function echoServer (name: string): Promise<number> {
  const srv: Server = createServer(s => { s.on('error', () => {}); s.on('data', () => s.write(name)) })
  await new Promise<void>(resolve => srv.listen(0, '127.0.0.1', () => resolve()))
  closers.push(() => new Promise<void>(resolve => { srv.close(() => resolve()) }))
  return (srv.address() as { port: number }).port
}

/** A tunnel through <port> to the server <want> (round robin: opened until it lands there). */
async function tunnelTo (port: number, want: string): Promise<{ sock: Socket; closed: Promise<void> }> {
  for (let i = 0; i < 4; i++) {
    const sock = connect(port, '127.0.0.1')
    sock.on('error', () => {})
    const closed = new Promise<void>(resolve => sock.once('close', () => resolve()))
    const server = await new Promise<string>(resolve => { sock.once('data', d => resolve(d.toString())); sock.write('who\n') })
    if (server === want) return { sock, closed }
    sock.destroy()
  }
  throw new Error('no tunnel to ' + want)
}

const within = <T>(p: Promise<T>, ms: number): Promise<boolean> =>
  Promise.race([p.then(() => true), new Promise<boolean>(resolve => setTimeout(() => resolve(false), ms))])

test('shutdown sessions server and the Kill Sessions action cut that server\'s tunnels, logged as HAProxy does', async () => {
  const logs = await startSyslog()
  closers.push(() => logs.close())
  const s1 = await echoServer('s1')
  const s2 = await echoServer('s2')
  const run = async (side: 'hap' | 'plb'): Promise<{ cliAnswer: string; cut: boolean[]; location: string; codes: string[] }> => {
    const [front, page] = await freePorts(2)
    const sock = join(dir.path, side + '.sock')
    const cfg = `global\n  log 127.0.0.1:${logs.port} local0\n  log-tag ${side}\n  stats socket ${sock} level admin\n` +
      'defaults\n  log global\n  timeout connect 1s\n  timeout client 10s\n  timeout server 10s\n' +
      `listen l\n  mode tcp\n  option tcplog\n  bind 127.0.0.1:${front}\n  balance roundrobin\n` +
      `  server s1 127.0.0.1:${s1}\n  server s2 127.0.0.1:${s2}\n` +
      `frontend st\n  mode http\n  bind 127.0.0.1:${page}\n  stats enable\n  stats uri /st\n  stats admin if TRUE\n`
    let stop: () => Promise<void>
    if (side === 'hap') { const h: RunningHaproxy = await startHaproxy(cfg, front); stop = () => h.stop() } else { const o = await startOurs(cfg, dir.path); stop = () => o.stop() }
    try {
      const a = await tunnelTo(front, 's1')
      const other = await tunnelTo(front, 's2')
      const cliAnswer = await cli(sock, 'shutdown sessions server l/s1')
      const aCut = await within(a.closed, 1000)
      const b = await tunnelTo(front, 's1')
      const body = 's=s1&action=shutdown&b=l'
      const res = await rawExchange(page, `POST /st HTTP/1.1\r\nhost: x\r\ncontent-length: ${body.length}\r\nconnection: close\r\n\r\n${body}`)
      const bCut = await within(b.closed, 1000)
      const otherCut = await within(other.closed, 200)
      other.sock.destroy()
      await new Promise(resolve => setTimeout(resolve, 200))
      const codes = logs.lines.filter(l => l.includes(` ${side}[`)).flatMap(l => {
        const m = / l l\/(\S+) \S+ (\d+) (\S\S) /.exec(l)
        // the killed tunnels only: which tunnels round robin sent elsewhere first depends on its start
        return m !== null && m[3].startsWith('K') ? [`${m[1]} ${m[3]}`] : []
      })
      return { cliAnswer, cut: [aCut, bCut, otherCut], location: /location: (\S+)/i.exec(res)?.[1] ?? '', codes }
    } finally {
      await stop()
    }
  }
  const hap = await run('hap')
  const plb = await run('plb')
  assert.deepEqual(plb, hap)
  assert.deepEqual(plb.cut, [true, true, false])
  assert.equal(plb.location, '/st;st=DONE')
  assert.deepEqual(plb.codes, ['s1 K-', 's1 K-'])
})
