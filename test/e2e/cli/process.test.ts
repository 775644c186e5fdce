import { test, after } from 'node:test'
import assert from 'node:assert/strict'
import { spawn, spawnSync, type ChildProcess } from 'node:child_process'
import { createServer, connect } from 'node:net'
import { request } from 'node:http'
import { mkdtempSync, writeFileSync, readFileSync, existsSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { startBackend, type Backend } from '../../helpers/backends.ts'
import { freePorts, waitPort, rawExchange, statusOf } from '../../helpers/net.ts'

// The process as an init system or a user runs it: signals (SIGUSR1 soft
// stop, SIGTERM), -D with -p, and every bind form (addr:port, [::1]:port,
// unix@path, fd@N and fd@${NAME} inherited from the parent).

const dir = mkdtempSync(join(tmpdir(), 'plb-proc-'))
const running = new Set<ChildProcess>()
const backends: Backend[] = []

after(async () => {
  for (const c of running) if (c.exitCode === null) c.kill('SIGKILL')
  for (const b of backends) await b.close()
  rmSync(dir, { recursive: true, force: true })
})

/** A backend that answers /slow after <ms>, everything else at once. */
async function backend (ms = 600): Promise<Backend> {
  const b = await startBackend('s1', (req, res) => {
    if (req.url !== '/slow') return false
    setTimeout(() => { res.writeHead(200, { 'content-length': '5' }); res.end('slow\n') }, ms)
    return true
  })
  backends.push(b)
  return b
}

function config (name: string, binds: string[], serverPort: number, extra = ''): string {
  const file = join(dir, name)
  writeFileSync(file, `global\n${extra}\ndefaults\n  mode http\n  timeout connect 1s\n  timeout client 5s\n  timeout server 5s\n` +
    `frontend f\n${binds.map(b => `  bind ${b}\n`).join('')}  default_backend b\nbackend b\n  server s1 127.0.0.1:${serverPort}\n`)
  return file
}

function start (args: string[], opts: { env?: NodeJS.ProcessEnv; stdio?: (string | number)[] } = {}): ChildProcess {
  const c = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts', ...args],
    { env: { ...process.env, ...opts.env }, stdio: (opts.stdio ?? ['ignore', 'ignore', 'pipe']) as never })
  running.add(c)
  return c
}

const exited = (c: ChildProcess, ms: number): Promise<number | null> => new Promise(resolve => {
  if (c.exitCode !== null) { resolve(c.exitCode); return }
  const t = setTimeout(() => resolve(null), ms)
  c.once('exit', code => { clearTimeout(t); resolve(code) })
})

/** Resolves once the process printed its start line (-d): its signal handlers are in place. */
function started (c: ChildProcess): Promise<void> {
  return new Promise((resolve, reject) => {
    let err = ''
    const t = setTimeout(() => reject(new Error('no start line: ' + err)), 15000)
    c.stderr!.on('data', d => { err += d; if (/pocketlb \S+ started/.test(err)) { clearTimeout(t); resolve() } })
  })
}

const refused = (port: number): Promise<boolean> => new Promise(resolve => {
  const s = connect(port, '127.0.0.1')
  s.on('connect', () => { s.destroy(); resolve(false) })
  s.on('error', () => resolve(true))
})

test('SIGUSR1: stops accepting at once, finishes the request in flight, exits 0', async () => {
  const b = await backend()
  const [port] = await freePorts(1)
  const c = start(['-d', '-f', config('soft.cfg', [`127.0.0.1:${port}`], b.port)])
  await started(c)
  // a keep-alive client idle between requests: closed by the soft stop
  const idle = connect(port, '127.0.0.1')
  idle.on('error', () => {})
  idle.write('GET / HTTP/1.1\r\nHost: a\r\n\r\n')
  await new Promise<void>(resolve => idle.once('data', () => resolve()))
  const idleClosed = new Promise<number>(resolve => idle.once('close', () => resolve(Date.now())))
  const inFlight = rawExchange(port, 'GET /slow HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n', 5000)
  await new Promise(resolve => setTimeout(resolve, 150))
  const t0 = Date.now()
  c.kill('SIGUSR1')
  await new Promise(resolve => setTimeout(resolve, 150))
  assert.equal(await refused(port), true, 'listener closed')
  assert.equal(statusOf(await inFlight), 200)
  // well before the 5 s client timeout
  assert.ok(await idleClosed - t0 < 2000)
  assert.equal(await exited(c, 5000), 0)
  assert.ok(Date.now() - t0 < 3000)
})

test('SIGTERM: exits promptly even with an idle keep-alive client', async () => {
  const b = await backend()
  const [port] = await freePorts(1)
  const c = start(['-d', '-f', config('term.cfg', [`127.0.0.1:${port}`], b.port)])
  await started(c)
  const idle = connect(port, '127.0.0.1')
  idle.on('error', () => {})
  await new Promise<void>(resolve => idle.once('connect', () => resolve()))
  const t0 = Date.now()
  c.kill('SIGTERM')
  assert.notEqual(await exited(c, 3000), null)
  assert.ok(Date.now() - t0 < 3000)
  idle.destroy()
})

test('-D -p: the command returns, the daemon serves and its PID is in the pidfile', async () => {
  const b = await backend()
  const [port] = await freePorts(1)
  const pidfile = join(dir, 'plb.pid')
  const r = spawnSync(process.execPath, ['--import', 'tsx', 'src/main.ts', '-D', '-p', pidfile, '-f', config('daemon.cfg', [`127.0.0.1:${port}`], b.port)],
    { encoding: 'utf8', timeout: 20000 })
  assert.equal(r.status, 0, r.stderr)
  const pid = Number(readFileSync(pidfile, 'utf8').trim())
  assert.ok(pid > 0 && pid !== r.pid)
  try {
    await waitPort(port, 15000)
    assert.equal(statusOf(await rawExchange(port, 'GET / HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n')), 200)
  } finally { process.kill(pid, 'SIGTERM') }
  const end = Date.now() + 5000
  while (existsSync(pidfile) && Date.now() < end) await new Promise(resolve => setTimeout(resolve, 50))
  assert.equal(existsSync(pidfile), false, 'pidfile removed at exit')
})

test('bind forms: [::1]:port, unix@path, fd@N and fd@${NAME} inherited from the parent', async () => {
  const b = await backend()
  const [v6port] = await freePorts(1)
  const sock = join(dir, 'plb.sock')
  // two listening sockets opened here and handed down as fds 3 and 4, as a
  // supervisor (systemd, a master process) would
  const inherited = await Promise.all([0, 1].map(() => new Promise<ReturnType<typeof createServer>>(resolve => {
    const s = createServer()
    s.listen(0, '127.0.0.1', () => resolve(s))
  })))
  const fdPorts = inherited.map(s => (s.address() as { port: number }).port)
  const fds = inherited.map(s => (s as unknown as { _handle: { fd: number } })._handle.fd)
  const c = start(['-f', config('binds.cfg', [`[::1]:${v6port}`, `unix@${sock}`, 'fd@3', '"fd@${LISTEN_FD}"'], b.port)],
    { env: { LISTEN_FD: '4' }, stdio: ['ignore', 'ignore', 'pipe', fds[0], fds[1]] })
  // the parent lets go of its copies: only the child accepts now
  for (const s of inherited) s.close()
  try {
    let err = ''
    c.stderr!.on('data', d => { err += d })
    await waitFor(() => existsSync(sock), 15000).catch(e => { throw new Error(`${(e as Error).message}: ${err}`) })
    const get = 'GET /x HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n'
    assert.equal(statusOf(await rawExchange(v6port, get, 1500, '::1')), 200)
    for (const p of fdPorts) assert.equal(statusOf(await rawExchange(p, get)), 200)
    const viaUnix = await new Promise<number>((resolve, reject) => {
      const rq = request({ socketPath: sock, path: '/u', headers: { connection: 'close' } }, res => { res.resume(); resolve(res.statusCode ?? 0) })
      rq.on('error', reject)
      rq.end()
    })
    assert.equal(viaUnix, 200)
    assert.deepEqual(b.seen.map(s => s.url).sort(), ['/u', '/x', '/x', '/x'])
  } finally {
    c.kill('SIGTERM')
    await exited(c, 5000)
  }
})

async function waitFor (cond: () => boolean, ms: number): Promise<void> {
  const end = Date.now() + ms
  while (!cond()) {
    if (Date.now() > end) throw new Error('condition not met in time')
    await new Promise(resolve => setTimeout(resolve, 50))
  }
}
