import { test, after } from 'node:test'
import assert from 'node:assert/strict'
import { spawn, type ChildProcess } from 'node:child_process'
import { mkdtempSync, writeFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { request, Agent } from 'node:http'
import { startBackend, type Backend } from '../../helpers/backends.ts'
import { freePorts, waitPort } from '../../helpers/net.ts'

// The real CLI process: SIGHUP swaps to a new config while requests keep
// flowing on keep-alive connections, and none of them fails; a broken config
// is refused and the running one stays in service.

const dir = mkdtempSync(join(tmpdir(), 'plb-reload-'))
const cfgFile = join(dir, 'pocketlb.cfg')
let proc: ChildProcess | null = null
const backends: Backend[] = []
let stderr = ''

after(async () => {
  if (proc !== null && proc.exitCode === null) {
    await new Promise<void>(r => { proc!.once('exit', () => r()); proc!.kill('SIGKILL') })
  }
  for (const b of backends) await b.close()
  rmSync(dir, { recursive: true, force: true })
})

function config (port: number, server: Backend): string {
  return `defaults
  mode http
  timeout connect 1s
  timeout client 5s
  timeout server 5s
frontend f
  bind 127.0.0.1:${port}
  default_backend b
backend b
  server ${server.name} 127.0.0.1:${server.port}
`
}

function get (port: number, agent: Agent): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path: '/r', agent }, res => {
      let body = ''
      res.on('data', d => { body += d })
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }))
    })
    req.on('error', reject)
    req.end()
  })
}

test('SIGHUP reload under traffic: no failed request, new config in service, broken config refused', async () => {
  const a = await startBackend('old'); backends.push(a)
  const b = await startBackend('new'); backends.push(b)
  const [port] = await freePorts(1)
  writeFileSync(cfgFile, config(port, a))
  proc = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts', '-f', cfgFile], { stdio: ['ignore', 'ignore', 'pipe'] })
  proc.stderr!.on('data', d => { stderr += d })
  await waitPort(port, 15000)

  const agent = new Agent({ keepAlive: true, maxSockets: 4 })
  const seen = { old: 0, new: 0, failed: 0 }
  let reloaded = false
  const end = Date.now() + 4000
  const worker = async (): Promise<void> => {
    // bounded: at most 4 s and 2000 requests per worker
    for (let i = 0; i < 2000 && Date.now() < end; i++) {
      try {
        const r = await get(port, agent)
        if (r.status !== 200) seen.failed++
        else if (r.body.startsWith('new')) seen.new++
        else seen.old++
      } catch { seen.failed++ }
      if (!reloaded && seen.old > 50) {
        reloaded = true
        writeFileSync(cfgFile, config(port, b))
        proc!.kill('SIGHUP')
      }
    }
  }
  await Promise.all([worker(), worker(), worker()])
  agent.destroy()
  t_diag(`requests: ${seen.old} before reload, ${seen.new} after, ${seen.failed} failed`)
  assert.equal(seen.failed, 0)
  assert.ok(seen.old > 0 && seen.new > 0, 'traffic moved to the new config')

  writeFileSync(cfgFile, config(port, b).replace('balance', '').replace('backend b', 'backend b\n  balanse roundrobin'))
  proc.kill('SIGHUP')
  await new Promise(r => setTimeout(r, 800))
  assert.match(stderr, /parsing \[.*pocketlb\.cfg:\d+\] : unknown keyword 'balanse'/)
  assert.match(stderr, /Reload refused/)
  const after = await get(port, new Agent())
  assert.equal(after.status, 200)
  assert.match(after.body, /^new /)
})

function t_diag (msg: string): void { process.stdout.write(`# ${msg}\n`) }
