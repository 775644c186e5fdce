import { test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { spawn } from 'node:child_process'
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { createServer, type Server } from 'node:tls'
import { tcpProbe } from '../../../src/checks/probes/tcp.ts'
import { serverDownMessage } from '../../../src/checks/messages.ts'
import type { CheckPlan, ServerTlsPlan } from '../../../src/config/plan.ts'
import { compileServerTls } from '../../../src/tls/server-words.ts'
import { freePorts } from '../../helpers/net.ts'
import { makeTestCerts, type TestCerts } from './certs.ts'

// Health checks over TLS (check-ssl): a handshake that passes is L6OK, a
// certificate the CA file does not vouch for is L6RSP "SSL handshake
// failure", worded as HAProxy 2.6 reports the same server going down.

let certs: TestCerts
let tlsServer: Server
let port = 0

before(async () => {
  certs = makeTestCerts()
  tlsServer = createServer({ cert: certs.read(certs.a), key: certs.read(certs.a) }, s => { s.on('error', () => {}); s.end() })
  await new Promise<void>(r => tlsServer.listen(0, '127.0.0.1', () => r()))
  port = (tlsServer.address() as { port: number }).port
})

after(async () => {
  await new Promise<void>(r => tlsServer.close(() => r()))
  certs.remove()
})

function checkTls (words: string[]): ServerTlsPlan {
  const r = compileServerTls({ ssl: false, checkSsl: true, words, baseDir: '/', compileExpr: () => () => '' })
  assert.ok('checkTls' in r && r.checkTls !== null)
  return r.checkTls
}

const PLAN = { kind: 'tcp' } as CheckPlan

async function probe (tls: ServerTlsPlan, p = port): Promise<{ status: string; info: string }> {
  const r = await tcpProbe.run({ host: '127.0.0.1', port: p, connectMs: 1000, exchangeMs: null, tls }, PLAN, new AbortController().signal)
  return { status: r.status, info: r.info }
}

test('check-ssl: L6OK with verify none or the right CA, L6RSP with a wrong CA, L4CON when closed', async () => {
  assert.deepEqual(await probe(checkTls(['verify', 'none'])), { status: 'L6OK', info: '' })
  assert.deepEqual(await probe(checkTls(['verify', 'required', 'ca-file', certs.ca])), { status: 'L6OK', info: '' })
  assert.deepEqual(await probe(checkTls(['verify', 'required', 'ca-file', certs.otherCa])), { status: 'L6RSP', info: 'SSL handshake failure' })
  const [closed] = await freePorts(1)
  assert.equal((await probe(checkTls(['verify', 'none']), closed)).status, 'L4CON')
})

test('the DOWN message for a wrong CA reads as HAProxy 2.6 writes it', async () => {
  const [idle] = await freePorts(1)
  const cfg = join(certs.dir, 'check.cfg')
  writeFileSync(cfg, ['global', '  log stderr format raw local0', 'defaults', '  mode tcp', '  log global',
    '  timeout connect 1s', '  timeout client 1s', '  timeout server 1s', 'listen fe', `  bind 127.0.0.1:${idle}`,
    '  server x 127.0.0.1:9 disabled', 'backend bk',
    `  server s1 127.0.0.1:${port} check check-ssl verify required ca-file ${certs.otherCa} inter 200 fall 1`, ''].join('\n'))
  const hap = spawn('haproxy', ['-f', cfg, '-db'], { stdio: ['ignore', 'ignore', 'pipe'] })
  const line = await new Promise<string>((resolve, reject) => {
    let text = ''
    const timer = setTimeout(() => reject(new Error('haproxy said nothing: ' + text)), 5000)
    hap.stderr.setEncoding('utf8')
    hap.stderr.on('data', (d: string) => {
      text += d
      const m = /\[WARNING\].*: (Server bk\/s1 is DOWN.*)/.exec(text)
      if (m !== null) { clearTimeout(timer); resolve(m[1]!) }
    })
  }).finally(() => { hap.kill('SIGKILL') })
  const r = await tcpProbe.run({ host: '127.0.0.1', port, connectMs: 1000, exchangeMs: null, tls: checkTls(['verify', 'required', 'ca-file', certs.otherCa]) }, PLAN, new AbortController().signal)
  const ours = serverDownMessage('bk', 's1', false, { status: r.status, code: r.code, info: r.info, durationMs: r.durationMs },
    { activeLeft: 0, backupLeft: 0, sessionsActive: 0, requeued: 0, remainingInQueue: 0 })
  const noDuration = (s: string): string => s.replace(/check duration: \d+ms/, 'check duration: Nms')
  assert.equal(noDuration(ours), noDuration(line))
})
