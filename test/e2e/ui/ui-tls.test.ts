import { test, after } from 'node:test'
import assert from 'node:assert/strict'
import { spawn, type ChildProcess } from 'node:child_process'
import { request } from 'node:https'
import { mkdtempSync, writeFileSync, rmSync, existsSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { TLSSocket } from 'node:tls'
import { freePorts } from '../../helpers/net.ts'

// `--ui-tls`: the web UI over HTTPS with the certificate pocketlb makes on
// first start beside its store (no private key ships with it), and the
// session cookie marked Secure.

const dir = mkdtempSync(join(tmpdir(), 'plb-uitls-'))
let plb: ChildProcess | null = null
after(() => {
  if (plb !== null && plb.exitCode === null) plb.kill('SIGKILL')
  rmSync(dir, { recursive: true, force: true })
})

function call (port: number, method: string, path: string, body?: unknown): Promise<{ status: number; json: Record<string, unknown>; cookie: string; cn: string }> {
  return new Promise((resolve, reject) => {
    const rq = request({ host: '127.0.0.1', port, method, path, rejectUnauthorized: false, headers: body === undefined ? {} : { 'content-type': 'application/json' } }, res => {
      let text = ''
      const cert = (res.socket as TLSSocket).getPeerCertificate()
      res.on('data', d => { text += d })
      res.on('end', () => {
        resolve({ status: res.statusCode ?? 0, json: JSON.parse(text) as Record<string, unknown>, cookie: String(res.headers['set-cookie'] ?? ''), cn: String(cert.subject?.CN ?? '') })
      })
    })
    rq.on('error', reject)
    rq.end(body === undefined ? undefined : JSON.stringify(body))
  })
}

test('the UI answers over HTTPS with a certificate made at first start; the session cookie is Secure', async () => {
  const [front, ui] = await freePorts(2)
  const cfg = join(dir, 'p.cfg')
  writeFileSync(cfg, `defaults\n  mode http\n  timeout connect 1s\n  timeout client 5s\n  timeout server 5s\nfrontend f\n  bind 127.0.0.1:${front}\n  default_backend b\nbackend b\n  server s 127.0.0.1:9\n`)
  let out = ''
  plb = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts', '-f', cfg, '--ui', `127.0.0.1:${ui}`, '--ui-tls', '--store', join(dir, 'ui.db')], { stdio: ['ignore', 'pipe', 'pipe'] })
  for (const s of [plb.stdout!, plb.stderr!]) s.on('data', d => { out += d })
  const end = Date.now() + 20000
  while (!/setup token (\S+)/.test(out)) {
    assert.ok(Date.now() < end, 'no UI start line: ' + out)
    await new Promise(resolve => setTimeout(resolve, 100))
  }
  assert.match(out, new RegExp(`web UI on https://127\\.0\\.0\\.1:${ui}/`))
  assert.ok(existsSync(join(dir, 'pocketlb-selfsigned.pem')))
  const state = await call(ui, 'GET', '/api/auth/state')
  assert.deepEqual([state.status, state.json.setupRequired, state.cn], [200, true, 'pocketlb'])
  const token = /setup token (\S+)/.exec(out)![1]
  const setup = await call(ui, 'POST', '/api/auth/setup', { token, password: 'a-long-password' })
  assert.equal(setup.status, 200)
  assert.match(setup.cookie, /; *Secure/i)
  assert.match(setup.cookie, /HttpOnly/i)
})
