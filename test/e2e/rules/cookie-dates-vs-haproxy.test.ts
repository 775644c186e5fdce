import { test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { startBackend, type Backend } from '../../helpers/backends.ts'
import { rawExchange } from '../../helpers/net.ts'
import { until } from '../../helpers/wait.ts'
import { logMessages, startSideBySide, type SideBySide } from './side-by-side.ts'

// `cookie … insert maxidle maxlife` beside HAProxy 2.6: the `|<last>|<first>`
// dates in Set-Cookie, refreshed on each answer, and expired cookies (too
// idle, too old, dated in the future) ignored and replaced, with the same log
// flags (E, O, U). Dates are 4-second units; the two proxies answer within a
// few ms of each other, and dates near "now" are compared as "now".

let s1: Backend
let s2: Backend
let sides: SideBySide

const B64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/'
/** Encodes a date (Unix seconds) the way HAProxy does, written here independently for the test. */
function enc (sec: number): string {
  let v = Math.floor(sec / 4)
  let out = ''
  for (let i = 0; i < 5; i++) { out = B64[v % 64] + out; v = Math.floor(v / 64) }
  return out
}
function dec (text: string): number { let v = 0; for (const c of text) v = v * 64 + B64.indexOf(c); return v * 4 }
const now = (): number => Math.floor(Date.now() / 1000)

function config (port: number, port2: number, logPort: number): string {
  return `
defaults
  mode http
  log 127.0.0.1:${logPort} local0
  log-format "%b %s %tsc"
  timeout connect 1s
  timeout client 5s
  timeout server 5s
listen both
  bind 127.0.0.1:${port}
  cookie SRV insert indirect maxidle 30m maxlife 8h
  server s1 127.0.0.1:${s1.port} cookie c1
  server s2 127.0.0.1:${s2.port} cookie c2
listen idle
  bind 127.0.0.1:${port2}
  cookie SRV insert maxidle 10m
  server s1 127.0.0.1:${s1.port} cookie c1
  server s2 127.0.0.1:${s2.port} cookie c2
`
}

before(async () => {
  s1 = await startBackend('s1')
  s2 = await startBackend('s2')
  sides = await startSideBySide(2, (ports, logPort) => config(ports[0], ports[1], logPort))
})

after(async () => {
  await sides?.stop()
  await s1?.close()
  await s2?.close()
})

/** Response head lines that matter, with dates within 8 s of now written "NOW". */
async function exchange (port: number, cookie: string | null): Promise<string> {
  const r = await rawExchange(port, `GET / HTTP/1.1\r\nHost: x\r\n${cookie === null ? '' : `Cookie: ${cookie}\r\n`}Connection: close\r\n\r\n`)
  const head = r.split('\r\n\r\n')[0].split('\r\n').filter(l => /^(HTTP|set-cookie)/i.test(l)).join('\n')
  const body = r.split('\r\n\r\n')[1] ?? ''
  return head.replace(/\|([A-Za-z0-9+/]{5})/g, (_m, d: string) => Math.abs(dec(d) - now()) <= 8 ? '|NOW' : '|' + d) + '\n' + body.split(' ')[0]
}

async function both (site: 0 | 1, cookie: string | null): Promise<string> {
  const h = await exchange(sides.hapPorts[site], cookie)
  assert.equal(await exchange(sides.plbPorts[site], cookie), h, `${site} ${cookie ?? '(no cookie)'}`)
  return h
}

test('insert with maxidle and maxlife writes |last|first dates in HAProxy\'s encoding', async () => {
  const r = await both(0, null)
  assert.match(r, /set-cookie: SRV=c[12]\|NOW\|NOW; path=\//)
})

test('a valid cookie keeps its server, its last date is refreshed and its first date kept', async () => {
  const first = enc(now() - 3600)
  const r = await both(0, `SRV=c2|${enc(now() - 60)}|${first}`)
  assert.match(r, new RegExp(`set-cookie: SRV=c2\\|NOW\\|${first.replace('+', '\\+')}; path=/\\ns2`))
})

test('too idle, too old, dated in the future, or without dates: ignored or completed as HAProxy does', async () => {
  for (const c of [`SRV=c2|${enc(now() - 7200)}|${enc(now() - 7200)}`, `SRV=c2|${enc(now() - 60)}|${enc(now() - 9 * 3600)}`,
    `SRV=c2|${enc(now() + 3 * 86400)}|${enc(now() - 60)}`, `SRV=c2|${enc(now() - 60)}`, 'SRV=c2', 'SRV=c2|#####|AAAAA']) {
    assert.match(await both(0, c), /set-cookie: SRV=c[12]\|NOW\|NOW/, c)
  }
})

test('maxidle alone: one date; a cookie without indirect reaches the server with its date', async () => {
  assert.match(await both(1, null), /set-cookie: SRV=c[12]\|NOW; path=\//)
  assert.match(await both(1, `SRV=c1|${enc(now() - 60)}`), /set-cookie: SRV=c1\|NOW; path=\/\ns1/)
  assert.match(await both(1, `SRV=c1|${enc(now() - 3600)}`), /set-cookie: SRV=c[12]\|NOW/)
})

test('the log cookie flags are the same (E expired, O old, U updated)', async () => {
  const hap = (): string[] => logMessages(sides.hapLog, /<NOSRV>/)
  const plb = (): string[] => logMessages(sides.plbLog, /<NOSRV>/)
  const wanted = 11
  assert.ok(await until(() => hap().length >= wanted && plb().length >= wanted, 3000), `${hap().length} / ${plb().length}`)
  const flags = (l: string[]): string[] => l.map(x => x.trim().split(' ')[2])
  assert.ok(flags(hap()).some(f => f.endsWith('EI')) && flags(hap()).some(f => f.endsWith('OI')) && flags(hap()).some(f => f.endsWith('VU')))
  assert.deepEqual(flags(plb()).sort(), flags(hap()).sort())
})
