// `pocketlb --observe eth0,eth1` in namespaces (root only), driven through its web
// UI's API from the host: the ports are bridged at start (the node's address moved
// to the bridge), observe is off until POST /api/observe {on:true}; an exchange from
// the pc then shows in the live stream, the list (filtered), the detail (headers,
// body, timings) and the HAR download; off again; at exit the rules are gone.
import { after, before, test } from 'node:test'
import assert from 'node:assert/strict'
import { ObserveNet, sh } from './topology.ts'
import { setupAdmin, startObservingNode, type ObservingNode } from './appliance.ts'

const net = new ObserveNet('c')
let node: ObservingNode
let auth: Record<string, string>

before(async () => {
  await net.build(false)
  node = await startObservingNode(net, ['--observe-ports', '80,8080', '--observe-body', '1k'])
  auth = await setupAdmin(node.base, node.setupToken)
})

after(async () => {
  await node?.stop()
  await net.close()
})

const api = async (path: string, body?: unknown): Promise<Response> =>
  fetch(`${node.base}${path}`, body === undefined ? { headers: auth } : { method: 'POST', headers: { ...auth, 'content-type': 'application/json' }, body: JSON.stringify(body) })
const json = async <T>(path: string, body?: unknown): Promise<T> => {
  const r = await api(path, body)
  assert.equal(r.status, 200, `${path}: ${r.status} ${await r.clone().text()}`)
  return await r.json() as T
}

/** Reads server-sent events from <res> until one satisfies <want> (or 5 s pass). */
async function nextEvent<T> (res: Response, want: (e: T) => boolean): Promise<T | null> {
  const reader = res.body!.getReader()
  const timer = setTimeout(() => { void reader.cancel() }, 5000)
  let text = ''
  try {
    for (;;) {
      const { value, done } = await reader.read()
      if (done) return null
      text += Buffer.from(value).toString()
      for (const m of text.matchAll(/^data: (.*)$/gm)) {
        const e = JSON.parse(m[1]!) as T
        if (want(e)) return e
      }
    }
  } finally { clearTimeout(timer); void reader.cancel().catch(() => {}) }
}

type Summary = { id: number; kind: string; method: string; host: string; path: string; status: number; client: string; server: string; resSize: number; timings: { total: number } }

const REQ = Buffer.from('POST /api/items?page=2 HTTP/1.1\r\nHost: dev.test\r\nContent-Type: application/json\r\nContent-Length: 13\r\nConnection: close\r\n\r\n{"name":"pi"}')

test('observe from the command line and the web API', async () => {
  assert.match(sh('ip', '-n', net.ns.node, 'link', 'show', 'eth1'), /master plb-observe/)
  assert.match(sh('ip', '-n', net.ns.node, 'addr', 'show', 'dev', 'plb-observe'), /inet 10\.88\.0\.3\/24/)
  const bridged = await net.send('tcp', 80, REQ)
  assert.match(bridged.toString('latin1'), /^HTTP\/1\.1 200 OK/)

  const off = await json<{ available: boolean; on: boolean; httpPorts: number[]; maxBody: number }>('/api/observe')
  assert.deepEqual([off.available, off.on, off.httpPorts, off.maxBody], [true, false, [80, 8080], 1024])
  assert.deepEqual(await json('/api/observe/exchanges'), [])
  assert.equal((await fetch(`${node.base}/api/observe`, { method: 'POST', headers: { cookie: auth.cookie!, 'content-type': 'application/json' }, body: '{"on":true}' })).status, 403, 'a change needs the CSRF token')
  assert.equal((await json<{ on: boolean }>('/api/observe', { on: true })).on, true)

  const live = await api('/api/observe/live?text=dev.test')
  assert.equal(live.headers.get('content-type'), 'text/event-stream')
  const seen = nextEvent<Summary>(live, e => e.path === '/api/items?page=2')
  assert.deepEqual(await net.send('tcp', 80, REQ), bridged)
  const ev = await seen
  assert.ok(ev !== null, 'no live event')
  assert.deepEqual([ev.kind, ev.method, ev.host, ev.status, ev.server, ev.resSize], ['http', 'POST', 'dev.test', 200, '10.88.0.2:80', bridged.length])
  assert.match(ev.client, /^10\.88\.0\.1:\d+$/)

  const list = await json<Summary[]>('/api/observe/exchanges?status=2xx&method=post')
  assert.deepEqual(list.map(x => x.id), [ev.id])
  assert.deepEqual(await json('/api/observe/exchanges?status=404'), [])
  assert.deepEqual(await json('/api/observe/exchanges?text=nothing-like-it'), [])

  const detail = await json<{ reqHeaders: string[][]; reqBody: { text: string }; resBody: { text: string }; timings: { connect: number; firstByte: number; total: number } }>(`/api/observe/exchanges/${ev.id}`)
  assert.deepEqual(detail.reqHeaders[0], ['Host', 'dev.test'])
  assert.equal(detail.reqBody.text, '{"name":"pi"}')
  assert.equal(detail.resBody.text, REQ.toString('latin1'))   // the echo server answers with the request
  assert.ok(detail.timings.connect > 0 && detail.timings.total >= detail.timings.firstByte && detail.timings.firstByte >= 0)
  assert.equal((await api('/api/observe/exchanges/999999')).status, 404)

  const har = await api(`/api/observe/har?ids=${ev.id}`)
  assert.match(har.headers.get('content-disposition') ?? '', /^attachment; filename="pocketlb-.*\.har"$/)
  const doc = await har.json() as { log: { entries: Array<{ request: { url: string; postData: { text: string } } }> } }
  assert.deepEqual(doc.log.entries.map(e => [e.request.url, e.request.postData.text]), [['http://dev.test/api/items?page=2', '{"name":"pi"}']])

  const openapi = await json<{ paths: Record<string, unknown> }>('/api/openapi.json')
  for (const p of ['/api/observe', '/api/observe/exchanges', '/api/observe/exchanges/{id}', '/api/observe/har', '/api/observe/live']) assert.ok(p in openapi.paths, p)

  assert.equal((await json<{ on: boolean }>('/api/observe', { on: false })).on, false)
  await net.send('tcp', 80, REQ)
  assert.equal((await json<Summary[]>('/api/observe/exchanges')).length, 1)

  assert.equal(await node.stop(), 0)
  assert.doesNotMatch(sh('ip', 'netns', 'exec', net.ns.node, 'nft', 'list', 'tables'), /pocketlb_observe/)
  // the link stays: the pc still reaches the server across the bridge
  assert.deepEqual(await net.send('tcp', 80, REQ), bridged)
})
