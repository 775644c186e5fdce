/** Stats page admin actions compared with HAProxy 2.6: the same config and
 *  the same POSTs to both; the 303's Location, the servers' resulting status
 *  in `show stat`, the admin form's pieces and the status band must agree, and
 *  the page's response heads (refresh, norefresh, csv). */
import { test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { mkdirSync } from 'node:fs'
import { connect, createServer, type Server } from 'node:net'
import { join } from 'node:path'
import { freePorts, rawExchange, statusOf } from '../../helpers/net.ts'
import { sleep } from '../../helpers/wait.ts'
import { startBackends, startOurs, startHaproxy, cli, configHead, get, tempDir, csvRows, type Backends, type Ours, type Haproxy } from './helpers.ts'

interface Side { readonly port: number; readonly plain: number; readonly scoped: number; readonly sock: string }

let backends: Backends
let agent: Server
let agentPort = 0
let ours: Ours
let haproxy: Haproxy
const dir = tempDir()
const sides: Side[] = []

function config (s: Side, ports: readonly number[]): string {
  return configHead(s.sock, 'http') + `frontend fe
  bind 127.0.0.1:${s.port}
  stats enable
  stats uri /st
  stats refresh 5s
  stats show-node
  stats show-desc
  stats admin if LOCALHOST
  default_backend bk
backend bk
  server s1 127.0.0.1:${ports[0]}
  server s2 127.0.0.1:${ports[1]} check inter 10s
  server s3 127.0.0.1:${ports[2]} check inter 10s
  server s4 127.0.0.1:${ports[2]} check inter 10s agent-check agent-port ${agentPort} agent-inter 10s
listen plain
  bind 127.0.0.1:${s.plain}
  stats enable
  stats uri /st
  stats show-legends
  stats show-node pocket-node
  stats show-desc my pocket
  server x1 127.0.0.1:${ports[0]}
frontend scoped
  bind 127.0.0.1:${s.scoped}
  stats enable
  stats uri /st
  stats scope bk
  stats scope .
  stats admin if TRUE
  default_backend bk
`
}

before(async () => {
  backends = await startBackends(3)
  agent = createServer(c => { c.on('error', () => {}); c.end('up\n') })
  await new Promise<void>(resolve => agent.listen(0, '127.0.0.1', resolve))
  agentPort = (agent.address() as { port: number }).port
  for (const name of ['haproxy', 'ours']) {
    mkdirSync(join(dir.path, name))
    const [port, plain, scoped] = await freePorts(3)
    sides.push({ port, plain, scoped, sock: join(dir.path, name, 'admin.sock') })
  }
  haproxy = await startHaproxy(config(sides[0], backends.ports), join(dir.path, 'haproxy'), sides[0].plain)
  ours = await startOurs(config(sides[1], backends.ports), join(dir.path, 'ours'))
  // the first checks have passed on both sides
  await sleep(300)
})

after(async () => {
  await haproxy?.stop()
  await ours?.stop()
  await backends?.close()
  await new Promise(resolve => agent?.close(resolve))
  dir.remove()
})

/** POSTs <body> to <path>; with <split> the body follows the head 100 ms later. */
function post (port: number, path: string, body: string, split = false): Promise<string> {
  const head = `POST ${path} HTTP/1.1\r\nhost: x\r\ncontent-type: application/x-www-form-urlencoded\r\n` +
    `content-length: ${Buffer.byteLength(body)}\r\nconnection: close\r\n\r\n`
  if (!split) return rawExchange(port, head + body)
  return new Promise((resolve, reject) => {
    let out = ''
    const c = connect(port, '127.0.0.1', () => { c.write(head); setTimeout(() => c.write(body), 100) })
    c.setEncoding('latin1')
    c.on('data', d => { out += d })
    c.on('close', () => resolve(out))
    c.on('error', reject)
  })
}

const location = (res: string): string => /\r\nlocation: ([^\r]*)\r\n/i.exec(res)?.[1] ?? `(none, status ${statusOf(res)})`

/** svname=status,weight of backend bk's servers from `show stat`. */
async function serverStates (sock: string): Promise<string> {
  const rows = csvRows(await cli(sock, 'show stat'))
  const h = rows[0]
  const col = (name: string): number => h.indexOf(name)
  return rows.filter(r => r[0] === 'bk' && r[1] !== 'BACKEND').map(r => `${r[1]}=${r[col('status')]},${r[col('weight')]}`).join(' ')
}

async function bothPost (path: string, body: string, port: 'port' | 'plain' | 'scoped' = 'port', split = false): Promise<[string, string]> {
  return [await post(sides[0][port], path, body, split), await post(sides[1][port], path, body, split)]
}

test('admin POSTs: same 303 Location and the same server states as HAProxy 2.6', async () => {
  const steps: readonly [string, string][] = [
    ['/st', 's=s1&action=drain&b=%233'],
    ['/st', 's=s1&s=s2&action=maint&b=bk'],
    ['/st', 's=s1&s=s2&action=ready&b=bk'],
    ['/st', 's=s1&s=zz&action=maint&b=%233'],
    ['/st', 's=zz&action=ready&b=%233'],
    ['/st', 's=s1&action=bogus&b=%233'],
    ['/st', 's=s1&action=ready&b=%2399'],
    ['/st', 'action=ready&b=%233'],
    ['/st', 's=s1&action=ready'],
    ['/st', 's=s1&action=dhlth&b=%233'],
    ['/st', 's=s2&action=dhlth&b=%233'],
    ['/st', 's=s2&action=ehlth&b=%233'],
    ['/st', 's=s3&action=hdown&b=%233'],
    ['/st', 's=s1&action=hnolb&b=%233'],
    ['/st', 's=s1&s=s3&action=hrunn&b=%233'],
    ['/st', 's=s1&action=arunn&b=%233'],
    ['/st', 's=s4&action=adown&b=%233'],
    ['/st', 's=s4&action=arunn&b=%233'],
    ['/st', 's=s4&action=dagent&b=%233'],
    ['/st', 's=s4&action=adown&b=%233'],
    ['/st', 's=s4&action=eagent&b=%233'],
    ['/st', 's=s4&action=adown&b=%233'],
    ['/st', 's=s4&action=hrunn&b=%233'],
    ['/st', 's=s4&action=arunn&b=%233'],
    ['/st', 's=s2&action=shutdown&b=%233'],
    ['/st;up;norefresh', 's=s1&action=ready&b=%233'],
    ['/st?scope=bk', 's=s1&action=drain&b=bk'],
    ['/st', 'b=%233&s=s1&action=ready']
  ]
  for (const [path, body] of steps) {
    const [h, o] = await bothPost(path, body)
    assert.equal(statusOf(o), 303, body)
    assert.equal(location(o), location(h), `${path} ${body}`)
    assert.equal(await serverStates(sides[1].sock), await serverStates(sides[0].sock), `after ${body}`)
  }
})

test('the same checks and agent switches on the runtime API: answers and server states as HAProxy', async () => {
  for (const line of ['disable health bk/s2', 'set server bk/s4 agent down', 'set server bk/s4 agent foo', 'set server bk/s2 agent up',
    'disable agent bk/s4', 'set server bk/s4 agent up', 'enable agent bk/s4', 'set server bk/s4 agent up', 'enable health bk/s2']) {
    const h = await cli(sides[0].sock, line)
    const o = await cli(sides[1].sock, line)
    assert.equal(o, h, line)
    assert.equal(await serverStates(sides[1].sock), await serverStates(sides[0].sock), `after ${line}`)
  }
})

test('check and agent columns of show stat follow disabled checks and agents as HAProxy\'s', async () => {
  const cols = ['status', 'check_status', 'check_code', 'check_rise', 'check_fall', 'check_health', 'agent_status', 'agent_code',
    'agent_rise', 'agent_fall', 'agent_health', 'agent_desc', 'check_desc', 'chkfail', 'chkdown']
  const pick = async (sock: string): Promise<string> => {
    const rows = csvRows(await cli(sock, 'show stat'))
    return rows.filter(r => r[0] === 'bk' && r[1].startsWith('s')).map(r => r[1] + ':' + cols.map(c => r[rows[0].indexOf(c)].replace(/^\* /, '')).join('|')).join(' ')
  }
  for (const line of ['disable agent bk/s4', 'disable health bk/s4', 'enable agent bk/s4', 'enable health bk/s4', 'disable health bk/s2', 'enable health bk/s2']) {
    await cli(sides[0].sock, line)
    await cli(sides[1].sock, line)
    assert.equal(await pick(sides[1].sock), await pick(sides[0].sock), line)
  }
})

test('show servers state after the actions matches HAProxy (but the seconds since last change)', async () => {
  const mask = (t: string): string => t.split('\n').map(l => /^\d+ /.test(l) ? l.split(' ').map((w, i) => i === 9 ? 'T' : w).join(' ') : l).join('\n')
  for (const line of ['show servers state bk', 'set server bk/s1 health stopping; show servers state bk', 'set server bk/s1 state drain; show servers state bk',
    'set server bk/s1 health down; show servers state bk', 'set server bk/s1 health up; set server bk/s1 state ready; show servers state bk']) {
    assert.equal(mask(await cli(sides[1].sock, line)), mask(await cli(sides[0].sock, line)), line)
  }
})

test('a body arriving after the head is waited for; too large a body is EXCD', async () => {
  const [h, o] = await bothPost('/st', 's=s2&action=maint&b=%233', 'port', true)
  assert.equal(location(o), location(h))
  assert.equal(location(o), '/st;st=DONE')
  assert.equal(await serverStates(sides[1].sock), await serverStates(sides[0].sock))
  const big = 's=' + 'x'.repeat(20000) + '&action=ready&b=%233'
  const [hb, ob] = await bothPost('/st', big)
  assert.equal(location(ob), location(hb))
  assert.equal(location(ob), '/st;st=EXCD')
  await bothPost('/st', 's=s2&action=ready&b=%233')
})

test('a chunked body and one behind "Expect: 100-continue" are read as HAProxy reads them', async () => {
  const form = 's=s2&action=drain&b=%233'
  const chunked = `POST /st HTTP/1.1\r\nhost: x\r\ntransfer-encoding: chunked\r\nconnection: close\r\n\r\n` +
    `5\r\n${form.slice(0, 5)}\r\n${(form.length - 5).toString(16)}\r\n${form.slice(5)}\r\n0\r\n\r\n`
  const [h, o] = [await rawExchange(sides[0].port, chunked), await rawExchange(sides[1].port, chunked)]
  assert.equal(location(o), location(h))
  assert.equal(location(o), '/st;st=DONE')
  assert.equal(await serverStates(sides[1].sock), await serverStates(sides[0].sock))
  // the client waits for 100 Continue before it sends the body
  const expecting = (port: number): Promise<string> => new Promise((resolve, reject) => {
    let out = ''
    const back = 's=s2&action=ready&b=%233'
    const c = connect(port, '127.0.0.1', () => c.write(`POST /st HTTP/1.1\r\nhost: x\r\nexpect: 100-continue\r\ncontent-length: ${back.length}\r\nconnection: close\r\n\r\n`))
    c.setEncoding('latin1')
    c.on('data', d => { out += d; if (out === 'HTTP/1.1 100 Continue\r\n\r\n') c.write(back) })
    c.on('close', () => resolve(out))
    c.on('error', reject)
  })
  const [h2, o2] = [await expecting(sides[0].port), await expecting(sides[1].port)]
  assert.match(o2, /^HTTP\/1\.1 100 Continue\r\n\r\nHTTP\/1\.1 303 See Other\r\n/)
  assert.equal(location(o2), location(h2))
  assert.equal(await serverStates(sides[1].sock), await serverStates(sides[0].sock))
})

test('without stats admin a POST is denied and changes nothing', async () => {
  const before = await serverStates(sides[1].sock)
  const [h, o] = await bothPost('/st', 's=x1&action=maint&b=plain', 'plain')
  assert.equal(location(h), '/st;st=DENY')
  assert.equal(location(o), location(h))
  assert.equal(await serverStates(sides[1].sock), before)
  const rows = csvRows(await cli(sides[1].sock, 'show stat'))
  assert.equal(rows.find(r => r[0] === 'plain' && r[1] === 'x1')?.[17], 'no check')
})

test('stats scope: the page and its CSV list only the proxies in scope; actions are not limited by it (2.6)', async () => {
  const proxies = async (port: number): Promise<string[]> => {
    const res = await get(port, '/st;csv')
    return [...new Set(res.body.split('\n').filter(l => l !== '' && !l.startsWith('#')).map(l => l.split(',')[0]))]
  }
  const o = await proxies(sides[1].scoped)
  assert.deepEqual(o, ['bk', 'scoped'])
  assert.deepEqual(o, await proxies(sides[0].scoped))
  for (const body of ['s=x1&action=maint&b=plain', 's=s1&action=maint&b=zz', 's=s1&action=drain&b=bk', 's=x1&action=ready&b=plain', 's=s1&action=ready&b=%233']) {
    const [h, o] = await bothPost('/st', body, 'scoped')
    assert.equal(location(o), location(h), body)
    assert.equal(await serverStates(sides[1].sock), await serverStates(sides[0].sock), body)
  }
})

/** The admin pieces of a page: checkboxes, action select, hidden backend, status band. */
function formPieces (html: string): string[] {
  const re = /<input class='[^']*-checkbox' type="checkbox" name="s" value="[^"]*">|<select name=action>.*?<\/select>|<input type="hidden" name="b" value="[^"]*">|<p><div class=[^>]*><a class=lfsb href="[^"]*" title="Remove this message">\[X\]<\/a> .*?<\/div>|onclick="[^"]*"/g
  return html.match(re) ?? []
}

test('the HTML page carries the same admin form and status band; only where admin is granted', async () => {
  for (const path of ['/st;st=DONE', '/st;st=ERRP;norefresh', '/st;st=PART', '/st;st=ZZZZ', '/st;up?scope=bk']) {
    const [h, o] = [await rawExchange(sides[0].port, `GET ${path} HTTP/1.0\r\n\r\n`), await rawExchange(sides[1].port, `GET ${path} HTTP/1.0\r\n\r\n`)]
    const pieces = formPieces(o)
    assert.ok(pieces.length >= 5, path)
    assert.deepEqual(pieces, formPieces(h), path)
  }
  const plain = await rawExchange(sides[1].plain, 'GET /st HTTP/1.0\r\n\r\n')
  assert.equal(statusOf(plain), 200)
  assert.deepEqual(formPieces(plain), formPieces(await rawExchange(sides[0].plain, 'GET /st HTTP/1.0\r\n\r\n')))
  assert.deepEqual(formPieces(plain), [])
})

test('stats show-legends: the same proxy, server and backend details as HAProxy', async () => {
  const tips = (html: string): string[] => html.match(/<div class=tips>(cap|IPv4|balancing): [^<]*<\/div>/g) ?? []
  const o = tips(await rawExchange(sides[1].plain, 'GET /st HTTP/1.0\r\n\r\n'))
  assert.ok(o.length >= 8, String(o.length))
  assert.deepEqual(o, tips(await rawExchange(sides[0].plain, 'GET /st HTTP/1.0\r\n\r\n')))
  // a page without show-legends has none, on both sides
  for (const side of sides) assert.deepEqual(tips(await rawExchange(side.port, 'GET /st HTTP/1.0\r\n\r\n')), [])
})

test('stats show-node / show-desc: the same title and report line as HAProxy (product name and pid aside)', async () => {
  const lines = async (port: number): Promise<string[]> => {
    const html = (await get(port, '/st')).body
    return (html.match(/<title>[^<]*<\/title>|<h2>[^<]*<\/h2>/g) ?? [])
      .map(l => l.replace(/for (HAProxy|pocketlb)/, 'for PRODUCT').replace(/pid \d+/, 'pid PID'))
  }
  for (const which of ['port', 'plain', 'scoped'] as const) {
    const o = await lines(sides[1][which])
    assert.equal(o.length, 2, which)
    assert.deepEqual(o, await lines(sides[0][which]), which)
  }
})

/** Response head lines that say what the page is (framing headers left out). */
function headLines (res: string): string[] {
  return res.slice(0, res.indexOf('\r\n\r\n')).split('\r\n')
    .filter(l => !/^(content-length|transfer-encoding):/i.test(l)).map(l => l.toLowerCase())
}

test('page heads: refresh, norefresh, csv, HEAD; other methods go on to the backend', async () => {
  for (const path of ['GET /st', 'GET /st;norefresh', 'GET /st;csv', 'HEAD /st', 'PUT /st']) {
    const req = `${path} HTTP/1.1\r\nhost: x\r\ncontent-length: 0\r\nconnection: close\r\n\r\n`
    const h = await rawExchange(sides[0].port, req)
    const o = await rawExchange(sides[1].port, req)
    assert.deepEqual(headLines(o), headLines(h), req)
  }
})
