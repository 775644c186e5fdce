/** The messages of server state changes made by an operator (runtime API and
 *  stats page: maintenance, drain, forced health), compared with HAProxy 2.6's
 *  as both send them to syslog: the same texts at the same priorities. */
import { test, after } from 'node:test'
import assert from 'node:assert/strict'
import { join } from 'node:path'
import { freePorts, rawExchange } from '../../helpers/net.ts'
import { startSyslog } from '../../helpers/syslog.ts'
import { sleep } from '../../helpers/wait.ts'
import { startBackends, startHaproxy, startOurs, cli, tempDir, type Backends } from './helpers.ts'

const dir = tempDir()
const closers: (() => Promise<void> | void)[] = []
after(async () => { for (const c of closers.reverse()) await c(); dir.remove() })

test('operator state changes are reported with HAProxy\'s texts and priorities', async () => {
  const logs = await startSyslog()
  closers.push(() => logs.close())
  const backends: Backends = await startBackends(2)
  closers.push(() => backends.close())
  const run = async (side: 'hap' | 'plb'): Promise<string[]> => {
    const [port] = await freePorts(1)
    const sock = join(dir.path, side + '.sock')
    const cfg = `global\n  log 127.0.0.1:${logs.port} local0\n  log-tag ${side}\n  stats socket ${sock} level admin\n` +
      'defaults\n  mode http\n  log global\n  timeout connect 1s\n  timeout client 5s\n  timeout server 5s\n' +
      `frontend fe\n  bind 127.0.0.1:${port}\n  stats enable\n  stats uri /st\n  stats admin if TRUE\n  default_backend bk\n` +
      `backend bk\n  server s1 127.0.0.1:${backends.ports[0]}\n  server s2 127.0.0.1:${backends.ports[1]} check inter 30s\n`
    const stop = side === 'hap'
      ? (await startHaproxy(cfg, join(dir.path), port)).stop
      : (await startOurs(cfg, dir.path)).stop
    const post = (body: string): Promise<string> =>
      rawExchange(port, `POST /st HTTP/1.1\r\nhost: x\r\ncontent-length: ${body.length}\r\nconnection: close\r\n\r\n${body}`)
    try {
      for (const line of ['set server bk/s1 state maint', 'set server bk/s1 state ready', 'set server bk/s1 state drain',
        'set server bk/s1 state ready', 'set server bk/s2 state maint', 'set server bk/s2 state drain',
        'set server bk/s2 state ready', 'set server bk/s1 health down', 'set server bk/s1 health down',
        'set server bk/s1 health stopping', 'set server bk/s1 health up', 'disable server bk/s1', 'enable server bk/s1',
        'set server bk/s1 health down', 'set server bk/s1 state maint', 'set server bk/s1 state ready']) {
        await cli(sock, line)
      }
      for (const body of ['s=s1&action=hdown&b=bk', 's=s1&action=hnolb&b=bk', 's=s1&action=hrunn&b=bk',
        's=s1&s=s2&action=maint&b=bk', 's=s1&s=s2&action=ready&b=bk', 's=s2&action=drain&b=bk']) {
        await post(body)
      }
      await sleep(200)
    } finally {
      await stop()
    }
    // "<priority>... <tag>[pid]: <message>" of this side's server messages
    return logs.lines.filter(l => l.includes(` ${side}[`) && /Server bk\/|has no server available/.test(l))
      .map(l => `${/^<(\d+)>/.exec(l)?.[1]} ${l.slice(l.indexOf(']: ') + 3).trimEnd()}`)
  }
  const hap = await run('hap')
  const plb = await run('plb')
  assert.ok(plb.length >= 20, plb.join('\n'))
  assert.deepEqual(plb, hap)
})
