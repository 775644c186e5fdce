import { test, after } from 'node:test'
import assert from 'node:assert/strict'
import { spawn } from 'node:child_process'
import type { ChildProcess } from 'node:child_process'
import { mkdtempSync, writeFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import net from 'node:net'
import { compileAcl, compileHttpRequestRule, mergeAcl, runRules } from '../../../src/rules/compile.ts'
import type { RuleOutcome } from '../../../src/rules/types.ts'
import { ctx, head, target } from '../../unit/rules/helpers.ts'

/** Differential test: the same ACLs and http-request return rules run in
 *  haproxy 2.6 (started here on loopback) and in our engine, for the same
 *  raw requests; status and body must agree. */
const dir = mkdtempSync(join(tmpdir(), 'plb-rules-vs-'))
let haproxy: ChildProcess | null = null
after(() => { haproxy?.kill('SIGKILL'); rmSync(dir, { recursive: true, force: true }) })

writeFileSync(join(dir, 'hosts.map'), '# domain backend\nexample.com bk_app1\napp2.example.com bk_app2\nfoo.org bk_foo\n')

const ACLS: string[][] = [
  ['is_websocket', 'hdr(Connection)', '-i', 'upgrade'],
  ['ws_key', 'hdr_cnt(Sec-WebSocket-Key)', 'eq', '1'],
  ['static_domain', 'hdr_beg(Host)', '-i', 'static.', 'images.'],
  ['static_content', 'path_end', '-i', '.jpg', '.png'],
  ['static_content', 'path_beg', '/static/'],
  ['echo', 'hdr(Sec-WebSocket-Protocol)', 'echo-protocol']
]
const LF = 'host=%[req.hdr(host),lower] map=%[req.hdr(host),lower,map_dom(MAPFILE,bk_default)] ' +
  'lb=%[req.hdr(Host),lower]%[url,lower] x=%[req.hdr(x)] fx=%[req.fhdr(x)] n=%[hdr_cnt(x)] ' +
  'ck=%[req.cook(c)] q=%[query] p=%[path] b=%[base] v=%[req.ver] m=%[method] id=%[urlp(id)] ' +
  'h=%[req.hdr(host),sdbm]/%[req.hdr(host),djb2]/%[req.hdr(host),wt6]/%[req.hdr(host),crc32]/%[path,sdbm(1)] ' +
  'f=%[req.hdr(host),field(2,.)] w=%[path,word(1,/)] u=%[path,upper,length] j=%[req.hdr(x),json] ' +
  'src=%[src] m24=%[src,ipmask(24)] b64=%[path,base64] hex=%[path,hex] r=%[path,regsub(/,_,g)]'
const RULES: string[][] = [
  ['return', 'status', '201', 'content-type', 'text/plain', 'string', 'ws', 'if', 'is_websocket', 'ws_key', 'echo'],
  ['return', 'status', '202', 'content-type', 'text/plain', 'string', 'static', 'if', 'static_domain', 'or', 'static_content'],
  ['return', 'status', '203', 'content-type', 'text/plain', 'lf-string', 'anon %[path]', 'if', '{', 'hdr(Host)', '-i', 'anon.example.com', '}', '!', '{', 'path_beg', '/skip', '}'],
  ['deny', 'deny_status', '429', 'if', '{', 'hdr_end(host)', '-i', '.deny.org', '}'],
  ['return', 'status', '200', 'content-type', 'text/plain', 'lf-string', LF.replace('MAPFILE', join(dir, 'hosts.map'))]
]

const quote = (w: string) => /[\s"#{}]/.test(w) && w !== '{' && w !== '}' ? `"${w.replace(/"/g, '\\"')}"` : w

function config (port: number): string {
  return ['global', '  log stderr format raw local0 emerg', 'defaults', '  mode http', '  timeout client 5s', '  timeout server 5s', '  timeout connect 5s',
    'frontend fe', `  bind 127.0.0.1:${port}`,
    ...ACLS.map(a => '  acl ' + a.map(quote).join(' ')),
    ...RULES.map(r => '  http-request ' + r.map(quote).join(' ')), ''].join('\n')
}

async function startHaproxy (): Promise<number> {
  for (let attempt = 0; attempt < 5; attempt++) {
    const port = 20000 + Math.floor(Math.random() * 40000)
    const cfg = join(dir, 'haproxy.cfg')
    writeFileSync(cfg, config(port))
    const p = spawn('haproxy', ['-f', cfg, '-db'], { stdio: ['ignore', 'ignore', 'pipe'] })
    let err = ''
    p.stderr?.on('data', d => { err += d })
    const deadline = Date.now() + 3000
    while (Date.now() < deadline && p.exitCode === null) {
      if (await canConnect(port)) { haproxy = p; return port }
      await new Promise(r => setTimeout(r, 50))
    }
    p.kill('SIGKILL')
    if (!/bind|address already in use/i.test(err)) throw new Error('haproxy did not start: ' + err)
  }
  throw new Error('no free port for haproxy')
}

function canConnect (port: number): Promise<boolean> {
  return new Promise(resolve => {
    const c = net.connect(port, '127.0.0.1')
    c.once('connect', () => { c.destroy(); resolve(true) })
    c.once('error', () => resolve(false))
  })
}

/** Sends <raw>, returns the first complete response (the connection stays
 *  open with keep-alive, so the end is found by Content-Length) and the client's port. */
function exchange (port: number, raw: string): Promise<{ text: string; srcPort: number }> {
  return new Promise((resolve, reject) => {
    const c = net.connect(port, '127.0.0.1')
    let text = ''
    const timer = setTimeout(() => { c.destroy(); reject(new Error('timeout, got: ' + text)) }, 3000)
    c.once('connect', () => c.write(raw))
    c.on('data', (d) => {
      text += d.toString('latin1')
      const end = text.indexOf('\r\n\r\n')
      const len = /\r\ncontent-length: *(\d+)/i.exec(text)
      if (end >= 0 && (len === null || text.length >= end + 4 + Number(len[1]))) {
        clearTimeout(timer)
        const srcPort = c.localPort ?? 0
        c.destroy()
        resolve({ text, srcPort })
      }
    })
    c.on('error', (err) => { clearTimeout(timer); reject(err) })
  })
}

/** Our answer for <raw>, in the same shape as HAProxy's (status, body). */
function ours (raw: string, srcPort: number, port: number): { status: number; body: string } {
  const c = ctx(undefined, dir)
  for (const [name, ...words] of ACLS) mergeAcl(c, name, compileAcl(words, c))
  const rules = RULES.map(r => compileHttpRequestRule(r, c))
  const lines = raw.split('\r\n')
  const [method, uri, version] = lines[0].split(' ')
  const headers = lines.slice(1).filter(l => l !== '').map(l => { const i = l.indexOf(':'); return [l.slice(0, i), l.slice(i + 1).trim()] as [string, string] })
  const t = { ...target(head({ method, uri, version }, headers)), srcAddr: '127.0.0.1', srcPort, dstAddr: '127.0.0.1', dstPort: port }
  const out: RuleOutcome = runRules(rules, t)
  if (out.kind === 'respond') return { status: out.status, body: out.body }
  if (out.kind === 'deny') return { status: out.status, body: '' }
  return { status: 0, body: `unexpected outcome ${out.kind}` }
}

function parseResponse (text: string): { status: number; body: string } {
  const end = text.indexOf('\r\n\r\n')
  const status = Number(text.split(' ')[1])
  return { status, body: status === 429 ? '' : text.slice(end + 4) }
}

const REQUESTS = [
  'GET / HTTP/1.1\r\nHost: www.Example.com\r\n\r\n',
  'GET /a/b?id=7&x=2 HTTP/1.1\r\nHost: app2.example.com\r\nX: a, b\r\nX: "c, d"\r\nCookie: c=1; d=2\r\nCookie: c=3\r\n\r\n',
  'GET /img/A.PNG?x=1 HTTP/1.1\r\nHost: foo.org\r\n\r\n',
  'GET /static/x.css HTTP/1.1\r\nHost: foo.org\r\n\r\n',
  'GET /p HTTP/1.1\r\nHost: IMAGES.site.com\r\n\r\n',
  'GET /chat HTTP/1.1\r\nHost: ws.example.com\r\nConnection: keep-alive, Upgrade\r\nUpgrade: websocket\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Protocol: echo-protocol\r\n\r\n',
  'GET /chat HTTP/1.1\r\nHost: ws.example.com\r\nConnection: keep-alive\r\nSec-WebSocket-Protocol: echo-protocol\r\n\r\n',
  'GET /hello HTTP/1.1\r\nHost: anon.EXAMPLE.com\r\n\r\n',
  'GET /skip/me HTTP/1.1\r\nHost: anon.example.com\r\n\r\n',
  'POST /x HTTP/1.1\r\nHost: www.DENY.org\r\nContent-Length: 0\r\n\r\n',
  'GET /q?a=%41 HTTP/1.0\r\nHost: nothing.net\r\nX: he"l\\\\lo/\r\n\r\n'
]

test('ACLs, conditions and lf-string templates agree with haproxy 2.6', async () => {
  const port = await startHaproxy()
  for (const raw of REQUESTS) {
    const { text, srcPort } = await exchange(port, raw)
    const theirs = parseResponse(text)
    const mine = ours(raw, srcPort, port)
    assert.deepEqual(mine, theirs, `request: ${JSON.stringify(raw.split('\r\n')[0])}`)
  }
})
