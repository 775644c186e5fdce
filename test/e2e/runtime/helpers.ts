/** Shared pieces of the runtime API tests: HTTP backends that answer their
 *  name, our engine and real HAProxy 2.6 started from the same config text,
 *  and a runtime API client. Everything is on 127.0.0.1 or unix sockets in
 *  a temporary directory; stop() functions kill/close what was started. */
import { createServer, request, type Server } from 'node:http'
import { spawn, type ChildProcess } from 'node:child_process'
import { connect } from 'node:net'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Engine } from '../../../src/proxy/engine.ts'
import { loadConfigSources } from '../../../src/config/load.ts'
import { startStatsSockets } from '../../../src/runtime/stats-socket.ts'

export interface Backends { readonly ports: number[]; close (): Promise<void> }

/** <n> HTTP servers; each answers "s<i>" plus the X-M request header when present. */
export async function startBackends (n: number): Promise<Backends> {
  const servers: Server[] = []
  for (let i = 1; i <= n; i++) {
    const srv = createServer((req, res) => {
      res.setHeader('connection', 'close')
      res.end(`s${i}${req.headers['x-m'] === undefined ? '' : ' ' + String(req.headers['x-m'])}`)
    })
    await new Promise<void>(resolve => srv.listen(0, '127.0.0.1', resolve))
    servers.push(srv)
  }
  return {
    ports: servers.map(s => (s.address() as { port: number }).port),
    close: async () => { for (const s of servers) await new Promise(resolve => s.close(resolve)) }
  }
}

/** The head of a config compared with HAProxy: an admin stats socket at <sock>
 *  and defaults in <mode> with short timeouts (<extra> lines appended to them). */
export function configHead (sock: string, mode: 'http' | 'tcp', extra = ''): string {
  return `global\n  stats socket ${sock} level admin\ndefaults\n  mode ${mode}\n  timeout connect 2s\n  timeout client 5s\n  timeout server 5s\n${extra}`
}

export function tempDir (): { path: string; remove (): void } {
  const path = mkdtempSync(join(tmpdir(), 'plb-runtime-'))
  return { path, remove: () => rmSync(path, { recursive: true, force: true }) }
}

/** Sends one request line on the unix/tcp stats socket <where>, returns everything until close. */
export function cli (where: string | number, line: string): Promise<string> {
  return new Promise((resolve, reject) => {
    let out = ''
    const c = typeof where === 'number' ? connect(where, '127.0.0.1') : connect(where)
    c.on('connect', () => c.end(line + '\n'))
    c.setEncoding('latin1')
    c.on('data', d => { out += d })
    c.on('close', () => resolve(out))
    c.on('error', reject)
  })
}

/** GET <path> on <port> with a fresh connection; resolves status and body. */
export function get (port: number, path: string, headers: Record<string, string> = {}): Promise<{ status: number; body: string; headers: Record<string, unknown> }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, headers, agent: false }, res => {
      let body = ''
      res.setEncoding('latin1')
      res.on('data', d => { body += d })
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body, headers: res.headers }))
    })
    req.on('error', reject)
    req.end()
  })
}

/** Counts which server answered <n> sequential requests to <port>. */
export async function spread (port: number, n: number): Promise<Map<string, number>> {
  const seen = new Map<string, number>()
  for (let i = 0; i < n; i++) {
    const name = (await get(port, '/')).body.split(' ')[0]
    seen.set(name, (seen.get(name) ?? 0) + 1)
  }
  return seen
}


export interface Ours { readonly engine: Engine; stop (): Promise<void> }

/** Loads <text> and serves it in-process, with its stats sockets. */
export async function startOurs (text: string, baseDir: string): Promise<Ours> {
  const r = loadConfigSources([{ path: join(baseDir, 't.cfg'), text }], { baseDir })
  if (!r.ok) throw new Error('config: ' + r.alerts.join('\n'))
  const engine = new Engine()
  await engine.apply(r.plan)
  const sockets = await startStatsSockets(engine, r.plan.global.statsSockets)
  return { engine, stop: async () => { await sockets.close(); await engine.softStop() } }
}

export interface Haproxy { stop (): Promise<void> }

/** Starts `haproxy -db` on <text>; resolves once <port> accepts connections. */
export async function startHaproxy (text: string, dir: string, port: number): Promise<Haproxy> {
  const file = join(dir, 'haproxy.cfg')
  writeFileSync(file, text)
  const child = spawn('haproxy', ['-db', '-f', file], { stdio: ['ignore', 'ignore', 'pipe'] })
  let stderr = ''
  child.stderr!.on('data', d => { stderr += String(d) })
  for (let i = 0; i < 100; i++) {
    if (child.exitCode !== null) break
    const up = await new Promise<boolean>(resolve => {
      const c = connect(port, '127.0.0.1', () => { c.destroy(); resolve(true) })
      c.on('error', () => resolve(false))
    })
    if (up) return { stop: () => kill(child) }
    await new Promise(resolve => setTimeout(resolve, 50))
  }
  await kill(child)
  throw new Error('haproxy did not start: ' + stderr)
}

async function kill (child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return
  const done = new Promise(resolve => child.once('exit', resolve))
  child.kill('SIGKILL')
  await done
}

/** CSV text → rows of fields (header line included, trailing empty lines dropped). */
export function csvRows (csv: string): string[][] {
  return csv.split('\n').filter(l => l !== '').map(l => l.split(','))
}
