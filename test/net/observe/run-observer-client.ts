// The test side of run-observer.ts: starts it in the node's namespace, sends it
// commands and collects what it prints (captures, HAR).
import assert from 'node:assert/strict'
import { createInterface } from 'node:readline'
import type { Har } from '../../../src/observe/har.ts'
import type { HttpExchange, TlsFlow } from '../../../src/observe/types.ts'
import { until } from '../../helpers/wait.ts'
import type { ObserveNet } from './topology.ts'

const RUNNER = new URL('./run-observer.ts', import.meta.url).pathname

type Event = { t: string; c?: HttpExchange | TlsFlow; har?: Har; relayed?: number }

export interface ObserverRun {
  /** Writes <cmd> and waits for the <reply> event it causes */
  command (cmd: string, reply: string): Promise<Event>
  captures (): Array<HttpExchange | TlsFlow>
  lastHar (): Har
}

/** Starts the observer on br0/eth0 of <net>'s node, keeping <maxBody> bytes of bodies. */
export async function runObserver (net: ObserveNet, maxBody: number): Promise<ObserverRun> {
  const events: Event[] = []
  let stderr = ''
  const p = net.spawnIn(net.ns.node, [process.execPath, '--import', 'tsx', RUNNER, 'br0', 'eth0', String(maxBody)])
  createInterface({ input: p.stdout! }).on('line', l => { events.push(JSON.parse(l) as Event) })
  p.stderr!.on('data', d => { stderr += d })
  assert.ok(await until(() => events.some(e => e.t === 'ready'), 10_000), `observer not ready: ${stderr}`)
  return {
    async command (cmd, reply) {
      const n = events.filter(e => e.t === reply).length
      p.stdin!.write(cmd + '\n')
      assert.ok(await until(() => events.filter(e => e.t === reply).length > n, 5000), `no ${reply} after ${cmd}: ${stderr}`)
      return events.filter(e => e.t === reply).pop()!
    },
    captures: () => events.filter(e => e.t === 'capture').map(e => e.c!),
    lastHar: () => events.filter(e => e.t === 'har').pop()!.har!
  }
}
