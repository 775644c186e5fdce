/** With `option redispatch`, requests queued on a server (here chosen by
 *  `balance source`, which waits for its server) that health checks mark DOWN are handed to the other servers
 *  at once (HAProxy pendconn_redistribute), instead of waiting for the dead
 *  server's slot until `timeout queue`. */
import { test, after } from 'node:test'
import assert from 'node:assert/strict'
import { createServer, type Server } from 'node:net'
import { request } from 'node:http'
import { startBackend, type Backend } from '../../helpers/backends.ts'
import { startPocketlb } from '../../helpers/pocketlb.ts'
import { freePorts, waitPort } from '../../helpers/net.ts'
import type { Engine } from '../../../src/proxy/engine.ts'

const started: { close (): Promise<void> }[] = []
let engine: Engine | null = null
after(async () => {
  await engine?.stop()
  for (const s of started) await s.close()
})

function get (port: number, path: string): Promise<{ body: string; ms: number }> {
  const t0 = Date.now()
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, agent: false, }, res => {
      let body = ''
      res.on('data', d => { body += d })
      res.on('end', () => resolve({ body, ms: Date.now() - t0 }))
    })
    req.on('error', reject)
    req.end()
  })
}

/** A server whose /slow answer takes 2 s, and a listener serving as its check port. */
async function checkedServer (name: string): Promise<{ backend: Backend; checkPort: Server; cp: number }> {
  const backend = await startBackend(name, (req, res) => {
    if (req.url !== '/slow') return false
    setTimeout(() => res.end(`${name} slow\n`), 2000)
    return true
  })
  const checkPort = createServer(c => c.destroy())
  await new Promise<void>(resolve => checkPort.listen(0, '127.0.0.1', resolve))
  started.push(backend, { close: () => new Promise<void>(resolve => { checkPort.close(() => resolve()) }) })
  return { backend, checkPort, cp: (checkPort.address() as { port: number }).port }
}

test('queued requests of a server marked DOWN are redistributed to the others', async () => {
  const servers = [await checkedServer('s1'), await checkedServer('s2')]
  const [port] = await freePorts(1)
  engine = await startPocketlb(`defaults
  mode http
  timeout connect 1s
  timeout client 10s
  timeout server 10s
  timeout queue 8s
frontend fe
  bind 127.0.0.1:${port}
  default_backend bk
backend bk
  balance source
  option redispatch
${servers.map(s => `  server ${s.backend.name} 127.0.0.1:${s.backend.port} maxconn 1 check port ${s.cp} inter 100 fall 1 rise 1\n`).join('')}`)
  await waitPort(port)
  // every request from 127.0.0.1 hashes to the same server: the target
  const targetName = (await get(port, '/')).body.split(' ')[0]
  const target = servers.find(s => s.backend.name === targetName)!
  const other = servers.find(s => s !== target)!
  const rt = engine.current.backends.get('bk')!.byName.get(targetName)!
  const slow = get(port, '/slow')
  await new Promise(resolve => setTimeout(resolve, 100))
  const queued = [get(port, '/a'), get(port, '/b'), get(port, '/c')]
  await new Promise(resolve => setTimeout(resolve, 150))
  assert.equal(rt.queue.length, 3, 'three requests wait on the target')

  await new Promise<void>(resolve => target.checkPort.close(() => resolve()))
  const answers = await Promise.all(queued)
  for (const a of answers) {
    assert.ok(a.body.startsWith(other.backend.name + ' '), `answered by ${other.backend.name}: ${a.body}`)
    assert.ok(a.ms < 1500, `answered in ${a.ms} ms, before the target frees its slot`)
  }
  assert.equal(rt.queue.length, 0)
  assert.equal((await slow).body, `${targetName} slow\n`, 'the request in service on the target completes')
})
