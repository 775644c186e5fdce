import { test, after } from 'node:test'
import assert from 'node:assert/strict'
import { createServer, connect, type Server, type Socket } from 'node:net'
import { startHaproxy, type RunningHaproxy } from '../../helpers/haproxy.ts'
import { startPocketlb } from '../../helpers/pocketlb.ts'
import { freePorts } from '../../helpers/net.ts'
import { startSyslog } from '../../helpers/syslog.ts'
import type { Engine } from '../../../src/proxy/engine.ts'

// `on-marked-down shutdown-sessions` and `on-marked-up shutdown-backup-sessions`,
// compared with HAProxy 2.6: a server that checks mark DOWN has its tunnels
// cut at once; when it comes back UP, the backup's tunnels are cut; the log's
// termination codes match.

const closers: (() => Promise<void> | void)[] = []
after(async () => { for (const c of closers.reverse()) await c() })

async function listen (port: number, onConn: (s: Socket) => void): Promise<Server> {
  const srv = createServer(s => { s.on('error', () => {}); onConn(s) })
  await new Promise<void>(resolve => srv.listen(port, '127.0.0.1', () => resolve()))
  return srv
}

const close = (srv: Server): Promise<void> => new Promise(resolve => { srv.close(() => resolve()) })

/** A tunnel through <port> that echoes; resolves once the echo came back. */
async function tunnel (port: number): Promise<{ sock: Socket; closed: Promise<void>; server: string }> {
  const sock = connect(port, '127.0.0.1')
  sock.on('error', () => {})
  const closed = new Promise<void>(resolve => sock.once('close', () => resolve()))
  const server = await new Promise<string>(resolve => {
    sock.once('data', d => resolve(d.toString()))
    sock.write('who\n')
  })
  return { sock, closed, server }
}

const within = <T>(p: Promise<T>, ms: number): Promise<boolean> =>
  Promise.race([p.then(() => true), new Promise<boolean>(resolve => setTimeout(() => resolve(false), ms))])

test('servers marked DOWN cut their sessions; a server back UP cuts the backup\'s', async () => {
  const logs = await startSyslog()
  closers.push(() => logs.close())
  const run = async (side: 'hap' | 'plb'): Promise<{ downCut: boolean; upCut: boolean; servers: string[]; codes: string[] }> => {
    const [front, data1, data2, check1] = await freePorts(4)
    for (const [port, name] of [[data1, 's1'], [data2, 'bk']] as const) {
      const srv = await listen(port, s => s.on('data', () => s.write(name)))
      closers.push(() => close(srv))
    }
    let checkSrv: Server | null = await listen(check1, s => s.destroy())
    const cfg = `global\n  log 127.0.0.1:${logs.port} local0\n  log-tag ${side}\ndefaults\n  mode tcp\n  log global\n  option tcplog\n` +
      `  timeout connect 1s\n  timeout client 10s\n  timeout server 10s\n` +
      `listen l\n  bind 127.0.0.1:${front}\n` +
      `  server s1 127.0.0.1:${data1} check port ${check1} inter 150 fall 1 rise 1 on-marked-down shutdown-sessions on-marked-up shutdown-backup-sessions\n` +
      `  server bk 127.0.0.1:${data2} backup\n`
    let stop: () => Promise<void>
    if (side === 'hap') { const h: RunningHaproxy = await startHaproxy(cfg, front); stop = () => h.stop() } else { const e: Engine = await startPocketlb(cfg); stop = () => e.stop() }
    try {
      const a = await tunnel(front)
      await close(checkSrv); checkSrv = null
      const downCut = await within(a.closed, 2000)
      const b = await tunnel(front)
      checkSrv = await listen(check1, s => s.destroy())
      const upCut = await within(b.closed, 2000)
      a.sock.destroy(); b.sock.destroy()
      await new Promise(resolve => setTimeout(resolve, 200))
      // "l l/<server> <timers> <bytes> <termination>" of the tunnels (not HAProxy's start-up probe, 0 bytes)
      const codes = logs.lines.filter(l => l.includes(` ${side}[`)).flatMap(l => {
        const m = / l l\/(\S+) \S+ (\d+) (\S\S) /.exec(l)
        return m !== null && m[2] !== '0' ? [`${m[1]} ${m[3]}`] : []
      })
      return { downCut, upCut, servers: [a.server, b.server], codes }
    } finally {
      if (checkSrv !== null) await close(checkSrv)
      await stop()
    }
  }
  const hap = await run('hap')
  const plb = await run('plb')
  assert.deepEqual(plb, hap)
  assert.deepEqual([plb.downCut, plb.upCut, plb.servers, plb.codes], [true, true, ['s1', 'bk'], ['s1 D-', 'bk U-']])
})
