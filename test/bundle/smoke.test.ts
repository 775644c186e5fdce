import { test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { spawn, spawnSync, type ChildProcess } from 'node:child_process'
import { mkdtempSync, rmSync, writeFileSync, readFileSync, existsSync } from 'node:fs'
import { createServer, request, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

// Smoke test of the BUNDLE (`npm run bundle` output), not the sources: it is built into a
// temporary directory and run from there, so the staged native addons are the ones used.
const root = new URL('../..', import.meta.url).pathname
const work = mkdtempSync(join(tmpdir(), 'plb-bundle-'))
const bundleDir = join(work, 'bundle')
const bundleFile = join(bundleDir, 'pocketlb.mjs')
let backend: Server
let backendPort = 0
let frontPort = 0
const started: ChildProcess[] = []

function runBundle (args: string[]): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [bundleFile, ...args], { cwd: work, encoding: 'utf8', timeout: 10_000 })
  return { status: r.status, stdout: r.stdout, stderr: r.stderr }
}

function goodConfig (): string {
  return [
    'global',
    '  maxconn 100',
    'defaults',
    '  mode http',
    '  timeout connect 2s',
    '  timeout client 5s',
    '  timeout server 5s',
    'frontend fe',
    `  bind 127.0.0.1:${frontPort}`,
    '  default_backend be',
    'backend be',
    '  balance roundrobin',
    `  server s1 127.0.0.1:${backendPort}`,
    ''
  ].join('\n')
}

/** A port the kernel just gave out, then released: free for the bundle to bind next. */
async function freePort (): Promise<number> {
  const s = createServer()
  await new Promise<void>(resolve => s.listen(0, '127.0.0.1', resolve))
  const { port } = s.address() as AddressInfo
  await new Promise<void>(resolve => s.close(() => resolve()))
  return port
}

function get (port: number): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path: '/smoke', agent: false }, res => {
      let body = ''
      res.setEncoding('utf8')
      res.on('data', (c: string) => { body += c })
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }))
    })
    req.on('error', reject)
    req.setTimeout(3000, () => req.destroy(new Error('request timed out')))
    req.end()
  })
}

/** Retries <get> until the listener answers (the process binds shortly after it starts). */
async function getWhenUp (port: number, deadline: number): Promise<{ status: number; body: string }> {
  for (;;) {
    try { return await get(port) } catch (e) {
      if (Date.now() > deadline) throw e
      await new Promise(resolve => setTimeout(resolve, 100))
    }
  }
}

before(async () => {
  const b = spawnSync(process.execPath, [join(root, 'scripts/bundle.mjs'), '--out', bundleDir], { cwd: root, encoding: 'utf8', timeout: 60_000 })
  assert.equal(b.status, 0, `bundle failed: ${b.stderr}`)
  assert.match(b.stdout, /cost per dependency/)
  backend = createServer((req, res) => { res.setHeader('x-backend', 'node'); res.end(`hello ${req.url ?? ''}`) })
  await new Promise<void>(resolve => backend.listen(0, '127.0.0.1', resolve))
  backendPort = (backend.address() as AddressInfo).port
  frontPort = await freePort()
})

after(async () => {
  for (const c of started) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL')
  await new Promise<void>(resolve => backend.close(() => resolve()))
  rmSync(work, { recursive: true, force: true })
})

test('the bundle is minified, under budget, with its addons and a size report beside it', () => {
  const report = readFileSync(join(bundleDir, 'size-report.txt'), 'utf8')
  const size = readFileSync(bundleFile).length
  assert.ok(size < 1024 * 1024, `bundle is ${size} bytes`)
  assert.ok(report.includes(`${(size / 1024).toFixed(1)} KiB JS`), report)
  assert.match(report, /\bpocketlb$/m)
  // minified: far fewer lines than bytes / 200
  assert.ok(readFileSync(bundleFile, 'utf8').split('\n').length < size / 200)
  assert.ok(existsSync(join(bundleDir, 'node_modules/better-sqlite3/build/Release/better_sqlite3.node')))
  assert.ok(existsSync(join(bundleDir, `node_modules/@neuralegion/raw-socket/prebuilds/linux-${process.arch}`)))
})

test('the staged better-sqlite3 addon loads from beside the bundle', () => {
  const probe = join(bundleDir, 'probe.mjs')
  writeFileSync(probe, "import D from 'better-sqlite3'; const db = new D(':memory:'); console.log(db.prepare('select 6*7 as x').get().x)\n")
  const r = spawnSync(process.execPath, [probe], { cwd: tmpdir(), encoding: 'utf8', timeout: 10_000 })
  assert.equal(r.stdout.trim(), '42', r.stderr)
})

test('-c accepts a good config and rejects a bad one with file:line', () => {
  const good = join(work, 'good.cfg')
  writeFileSync(good, goodConfig())
  const ok = runBundle(['-c', '-f', good])
  assert.equal(ok.status, 0, ok.stderr)
  assert.match(ok.stdout, /Configuration file is valid/)

  const bad = join(work, 'bad.cfg')
  writeFileSync(bad, goodConfig().replace('  default_backend be', '  default_backend missing'))
  const ko = runBundle(['-c', '-f', bad])
  assert.equal(ko.status, 1)
  assert.ok(ko.stderr.includes(`[${bad}:10]`), ko.stderr)
  assert.match(ko.stderr, /missing/)
  assert.match(ko.stderr, /Fatal errors found in configuration/)
})

test('serves a request through the bundle and stops on SIGTERM', async () => {
  const cfg = join(work, 'run.cfg')
  writeFileSync(cfg, goodConfig())
  const child = spawn(process.execPath, [bundleFile, '-db', '-f', cfg], { cwd: work, stdio: ['ignore', 'pipe', 'pipe'] })
  started.push(child)
  let output = ''
  child.stdout.setEncoding('utf8').on('data', (c: string) => { output += c })
  child.stderr.setEncoding('utf8').on('data', (c: string) => { output += c })
  const exited = new Promise<number | null>(resolve => child.on('exit', code => resolve(code)))

  const res = await getWhenUp(frontPort, Date.now() + 8000)
  assert.equal(res.status, 200)
  assert.equal(res.body, 'hello /smoke')

  child.kill('SIGTERM')
  const code = await Promise.race([exited, new Promise<string>(resolve => setTimeout(() => resolve('timeout'), 5000))])
  assert.equal(code, 0, `exit ${String(code)}; output:\n${output}`)
  assert.match(output, /SIGTERM received, stopping/)
  await assert.rejects(get(frontPort))
})
