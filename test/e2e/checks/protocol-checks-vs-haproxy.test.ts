/** option smtpchk, pgsql-check, ldap-check and ssl-hello-chk against tiny
 *  fake servers (good, refusing, speaking another protocol, silent), checked
 *  by HAProxy 2.6 and by us with the same config: each server's status,
 *  check_status, check_code and last_chk in `show stat` must agree. */
import { test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { mkdirSync } from 'node:fs'
import { createServer, type Server, type Socket } from 'node:net'
import { join } from 'node:path'
import { freePorts } from '../../helpers/net.ts'
import { startOurs, startHaproxy, cli, configHead, tempDir, csvRows, type Ours, type Haproxy } from '../runtime/helpers.ts'

/** How a fake server answers: the bytes to send first, then per data received
 *  (<heard> keeps what each connection sent first). */
interface Script { readonly greet?: Buffer; readonly replies: readonly Buffer[]; readonly heard?: string[] }

const b = (s: string): Buffer => Buffer.from(s, 'latin1')
const hex = (s: string): Buffer => Buffer.from(s, 'hex')
const pgError = (): Buffer => {
  const m = b('SFATAL\0C28000\0Mno pg_hba.conf entry\0\0')
  const len = Buffer.alloc(4)
  len.writeUInt32BE(m.length + 4)
  return Buffer.concat([b('E'), len, m])
}

const SCRIPTS: Readonly<Record<string, Script>> = {
  smtpOk: { greet: b('220 mail.example ESMTP ready\r\n'), replies: [b('250 mail.example hello\r\n'), b('221 2.0.0 bye\r\n')] },
  smtpEhlo: { greet: b('220 ready\r\n'), replies: [b('250 hi\r\n'), b('221 2.0.0 bye\r\n')], heard: [] },
  smtpMultiline: { greet: b('220 ready\r\n'), replies: [b('250-mail.example\r\n250-PIPELINING\r\n250 8BITMIME\r\n'), b('221 bye\r\n')] },
  smtpRefused: { greet: b('554 5.7.1 go away\r\n'), replies: [] },
  smtpGarbage: { greet: b('hello?\r\n'), replies: [] },
  pgOk: { replies: [hex('520000000800000000')] },
  pgMd5: { replies: [hex('520000000c0000000561626364')] },
  pgError: { replies: [pgError()] },
  ldapOk: { replies: [hex('300c02010161070a010004000400')] },
  ldapInvalidCredentials: { replies: [hex('300c02010161070a013104000400')] },
  sslOk: { replies: [hex('160300000402000000')] },
  sslAlert: { replies: [hex('15030000020228')] },
  http: { replies: [b('HTTP/1.0 400 Bad request\r\n\r\n')] }
}

const servers: Server[] = []
const ports = new Map<string, number>()
let ours: Ours
let haproxy: Haproxy
const dir = tempDir()
const sockets: string[] = []

function fake (script: Script): Promise<number> {
  const srv = createServer((c: Socket) => {
    c.on('error', () => {})
    let i = 0
    if (script.greet !== undefined) c.write(script.greet)
    c.on('data', d => {
      if (i === 0) script.heard?.push(d.toString('latin1'))
      const r = script.replies[i++]
      if (r !== undefined) c.write(r)
    })
  })
  servers.push(srv)
  return new Promise(resolve => srv.listen(0, '127.0.0.1', () => resolve((srv.address() as { port: number }).port)))
}

function config (sock: string, listenPort: number): string {
  const line = (name: string, script: string): string => `  server ${name} 127.0.0.1:${ports.get(script)} check inter 300ms\n`
  return configHead(sock, 'tcp', '  timeout check 500ms\n') +
    `listen idle\n  bind 127.0.0.1:${listenPort}\n  server x 127.0.0.1:9 disabled\n` +
    'backend smtp\n  option smtpchk\n' + line('ok', 'smtpOk') + line('multi', 'smtpMultiline') + line('refused', 'smtpRefused') +
    line('garbage', 'smtpGarbage') + line('pg', 'pgOk') +
    'backend smtp_ehlo\n  option smtpchk EHLO pocket.example\n' + line('ok', 'smtpEhlo') +
    'backend pg\n  option pgsql-check user alice\n' + line('ok', 'pgOk') + line('md5', 'pgMd5') + line('error', 'pgError') + line('smtp', 'smtpOk') +
    'backend ldap\n  option ldap-check\n' + line('ok', 'ldapOk') + line('creds', 'ldapInvalidCredentials') + line('smtp', 'smtpOk') + line('http', 'http') +
    'backend ssl\n  option ssl-hello-chk\n' + line('ok', 'sslOk') + line('alert', 'sslAlert') + line('http', 'http') + line('smtp', 'smtpOk')
}

before(async () => {
  for (const [name, script] of Object.entries(SCRIPTS)) ports.set(name, await fake(script))
  for (const side of ['haproxy', 'ours']) {
    mkdirSync(join(dir.path, side))
    sockets.push(join(dir.path, side, 'admin.sock'))
  }
  const [hPort, oPort] = await freePorts(2)
  haproxy = await startHaproxy(config(sockets[0], hPort), join(dir.path, 'haproxy'), hPort)
  ours = await startOurs(config(sockets[1], oPort), join(dir.path, 'ours'))
})

after(async () => {
  await haproxy?.stop()
  await ours?.stop()
  for (const s of servers) await new Promise(resolve => s.close(resolve))
  dir.remove()
})

/** "backend/server": "status | check_status | check_code | last_chk" of every checked server. */
async function checkResults (sock: string): Promise<Map<string, string>> {
  const rows = csvRows(await cli(sock, 'show stat'))
  const h = rows[0]
  const col = (name: string): number => h.indexOf(name)
  const out = new Map<string, string>()
  for (const r of rows.slice(1)) {
    if (r[1] === 'FRONTEND' || r[1] === 'BACKEND' || r[0] === 'idle') continue
    out.set(`${r[0]}/${r[1]}`, [r[col('status')], r[col('check_status')].replace(/^\* /, ''), r[col('check_code')], r[col('last_chk')]].join(' | '))
  }
  return out
}

const settled = (m: Map<string, string>): boolean => [...m.values()].every(v => !/ \| INI \|/.test(v) && !/ [0-9]\/[0-9]/.test(v))

test('protocol checks: the same verdicts, codes and texts as HAProxy 2.6', async () => {
  let h = new Map<string, string>()
  let o = new Map<string, string>()
  assert.ok(await untilAsync(async () => { h = await checkResults(sockets[0]); o = await checkResults(sockets[1]); return settled(h) && settled(o) }, 8000),
    'both sides reached final states')
  assert.equal(o.size, 18)
  assert.deepEqual(Object.fromEntries(o), Object.fromEntries(h))
  // the fixtures do exercise both outcomes of every kind
  assert.match(o.get('smtp/ok') ?? '', /^UP \| L7OK \| 221 \| 2\.0\.0 bye$/)
  assert.match(o.get('ldap/creds') ?? '', /^DOWN \| L7STS \| 49 \|/)
  assert.match(o.get('ssl/ok') ?? '', /^UP \| L6OK/)
  const heard = SCRIPTS.smtpEhlo.heard ?? []
  assert.ok(heard.length >= 2)
  assert.deepEqual(new Set(heard), new Set(['EHLO pocket.example\r\n']))
})

async function untilAsync (cond: () => Promise<boolean>, ms: number): Promise<boolean> {
  const end = Date.now() + ms
  while (Date.now() < end) {
    if (await cond()) return true
    await new Promise(resolve => setTimeout(resolve, 100))
  }
  return false
}
