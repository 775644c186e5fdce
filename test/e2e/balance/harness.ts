/** Differential harness: the same backend definitions run in real HAProxy 2.6
 *  and in our balancers; tests compare which server answered each request.
 *  Everything listens on 127.0.0.1; HAProxy is killed by PID in stop(). */
import { createServer, request } from 'node:http'
import type { Server } from 'node:http'
import { spawn } from 'node:child_process'
import type { ChildProcess } from 'node:child_process'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { connect } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { newHead, addHeader } from '../../../src/core/http-head.ts'
import type { StreamView } from '../../../src/core/stream-view.ts'
import type { LbServer } from '../../../src/balance/types.ts'

export interface Backends { ports: number[]; close (): Promise<void> }

/** <n> HTTP servers answering their name s1..sn. */
export async function startBackends (n: number): Promise<Backends> {
  const servers: Server[] = []
  const ports: number[] = []
  for (let i = 1; i <= n; i++) {
    const srv = createServer((_req, res) => { res.setHeader('connection', 'close'); res.end(`s${i}`) })
    await new Promise<void>(resolve => srv.listen(0, '127.0.0.1', resolve))
    servers.push(srv)
    ports.push((srv.address() as { port: number }).port)
  }
  return {
    ports,
    close: async () => { for (const s of servers) await new Promise(resolve => s.close(resolve)) }
  }
}

export interface Haproxy {
  port (section: number): number
  /** Sends one runtime API command on the stats socket, returns the answer */
  cli (command: string): Promise<string>
  stop (): Promise<void>
}

/** Starts `haproxy -db` with one `listen` per entry of <sections> (each given
 *  its body lines), bound to consecutive random ports. */
export async function startHaproxy (sections: readonly string[]): Promise<Haproxy> {
  const dir = mkdtempSync(join(tmpdir(), 'plb-balance-'))
  for (let attempt = 0; attempt < 5; attempt++) {
    const base = 20000 + Math.floor(Math.random() * 39000)
    const sock = join(dir, 'stats.sock')
    const cfg = ['global', '  maxconn 200', `  stats socket ${sock} level admin`, 'defaults', '  mode http', '  timeout connect 2s',
      '  timeout client 5s', '  timeout server 5s', '  option http-server-close']
    sections.forEach((body, i) => cfg.push(`listen l${i}`, `  bind 127.0.0.1:${base + i}`, body))
    const file = join(dir, 'haproxy.cfg')
    writeFileSync(file, cfg.join('\n') + '\n')
    const child = spawn('haproxy', ['-db', '-f', file], { stdio: ['ignore', 'ignore', 'pipe'] })
    let stderr = ''
    child.stderr!.on('data', d => { stderr += String(d) })
    const ok = await waitListening(child, base + sections.length - 1)
    if (ok) {
      return {
        port: i => base + i,
        cli: command => new Promise((resolve, reject) => {
          let out = ''
          const c = connect(sock, () => c.end(command + '\n'))
          c.on('data', d => { out += String(d) })
          c.on('end', () => resolve(out))
          c.on('error', reject)
        }),
        stop: async () => { await kill(child); rmSync(dir, { recursive: true, force: true }) }
      }
    }
    await kill(child)
    if (!/bind|Address already in use/i.test(stderr)) {
      rmSync(dir, { recursive: true, force: true })
      throw new Error(`haproxy failed: ${stderr}`)
    }
  }
  rmSync(dir, { recursive: true, force: true })
  throw new Error('haproxy: no free port range')
}

async function waitListening (child: ChildProcess, port: number): Promise<boolean> {
  for (let i = 0; i < 100; i++) {
    if (child.exitCode !== null) return false
    const up = await new Promise<boolean>(resolve => {
      const c = connect(port, '127.0.0.1', () => { c.destroy(); resolve(true) })
      c.on('error', () => resolve(false))
    })
    if (up) return true
    await new Promise(resolve => setTimeout(resolve, 50))
  }
  return false
}

async function kill (child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return
  const done = new Promise(resolve => child.once('exit', resolve))
  child.kill('SIGKILL')
  await done
}

export interface Req { path: string; headers?: Record<string, string>; from?: string }

/** Sends <r> on a fresh connection and returns the answering server's name. */
export function ask (port: number, r: Req): Promise<string> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path: r.path, headers: r.headers, localAddress: r.from, agent: false },
      res => {
        let body = ''
        res.on('data', d => { body += String(d) })
        res.on('end', () => resolve(body))
      })
    req.on('error', reject)
    req.end()
  })
}

/** The stream our proxy would see for <r> sent to <port>. */
export function viewOf (port: number, r: Req): StreamView {
  const head = newHead()
  head.method = 'GET'
  head.uri = r.path
  const headers = { host: `127.0.0.1:${port}`, ...r.headers }
  for (const [k, v] of Object.entries(headers)) addHeader(head, k, v)
  return {
    srcAddr: r.from ?? '127.0.0.1', srcPort: 40000, dstAddr: '127.0.0.1', dstPort: port,
    feName: 'l', beName: 'l', req: head, res: null, vars: new Map()
  }
}

export function fakeServers (weights: readonly number[], backup: readonly boolean[] = []): LbServer[] {
  return weights.map((w, i) => ({
    id: i + 1, name: `s${i + 1}`, backup: backup[i] ?? false, weight: w, usable: true, cur: 0, maxconn: 0
  }))
}

/** `server` lines for the HAProxy side of <weights>. */
export function serverLines (ports: readonly number[], weights: readonly number[], extra: readonly string[] = []): string {
  return weights.map((w, i) => `  server s${i + 1} 127.0.0.1:${ports[i]} weight ${w} ${extra[i] ?? ''}`).join('\n')
}
