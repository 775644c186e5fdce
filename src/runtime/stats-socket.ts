import { createServer, type Server, type Socket } from 'node:net'
import { chmodSync, unlinkSync } from 'node:fs'
import type { Engine } from '../proxy/engine.ts'
import type { StatsSocketPlan } from '../config/plan.ts'
import type { MapStore } from '../rules/maps.ts'
import { defaultMapStore } from '../rules/maps.ts'
import { Level, type CliSession } from './cli-context.ts'
import { runCommand, splitLine } from './commands.ts'

/** Longest request line accepted (HAProxy's CLI buffer is about one bufsize). */
const MAX_LINE = 16384

/** Serves HAProxy's runtime API text protocol on one connection: without
 *  prompt mode, one request line is answered and the connection closed; in
 *  prompt mode answers end with "\n> " and the connection stays until `quit`,
 *  `prompt` again, the peer's close or `stats timeout` of inactivity. */
function serveConnection (sock: Socket, engine: Engine, maps: MapStore, level: StatsSocketPlan['level'], timeout: number): void {
  const s: CliSession = { engine, maps, level: Level[level], interactive: false, quit: false }
  let pending = ''
  sock.setEncoding('latin1')
  sock.setTimeout(timeout, () => sock.destroy())
  sock.on('error', () => {})
  sock.on('data', (chunk: string) => {
    pending += chunk
    for (;;) {
      const nl = pending.indexOf('\n')
      if (nl < 0) break
      const line = pending.slice(0, nl).replace(/\r$/, '')
      pending = pending.slice(nl + 1)
      if (!answerLine(sock, s, line)) { pending = ''; return }
    }
    if (pending.length > MAX_LINE) sock.destroy()
  })
  // a request without its final line feed is still answered at the peer's end of stream
  sock.on('end', () => { if (pending !== '' && !sock.destroyed) answerLine(sock, s, pending); sock.end() })
}

/** Answers <line>; returns false once the connection is being closed. */
function answerLine (sock: Socket, s: CliSession, line: string): boolean {
  let out = ''
  for (const args of splitLine(line)) {
    out += runCommand(args, s)
    if (s.quit) break
    out += s.interactive ? '\n> ' : '\n'
  }
  if (s.quit || !s.interactive) { sock.end(out); return false }
  sock.write(out)
  return true
}

function listen (srv: Server, p: StatsSocketPlan): Promise<void> {
  return new Promise((resolve, reject) => {
    srv.once('error', reject)
    const done = (): void => { srv.off('error', reject); resolve() }
    if (p.kind === 'unix') {
      try { unlinkSync(p.path) } catch { /* no stale socket */ }
      srv.listen(p.path, () => { if (p.mode > 0) chmodSync(p.path, p.mode); done() })
    } else if (p.kind === 'tcp') {
      srv.listen(p.port, p.host === '' ? undefined : p.host, done)
    } else {
      srv.listen({ fd: p.fd }, done)
    }
  })
}

/** Opens every `stats socket` of the configuration. <maps> is the MapStore the
 *  rules were compiled with (the default store unless the integrator passes one).
 *  On a listen error the sockets already opened are closed and the error thrown. */
export async function startStatsSockets (engine: Engine, plans: readonly StatsSocketPlan[], maps: MapStore = defaultMapStore):
  Promise<{ close (): Promise<void> }> {
  const servers: { srv: Server; plan: StatsSocketPlan }[] = []
  const open = new Set<Socket>()
  const close = async (): Promise<void> => {
    for (const c of open) c.destroy()
    for (const { srv, plan } of servers.splice(0)) {
      await new Promise<void>(resolve => srv.close(() => resolve()))
      if (plan.kind === 'unix') { try { unlinkSync(plan.path) } catch { /* already gone */ } }
    }
  }
  const timeout = engine.current.plan.global.statsTimeout ?? 10000
  try {
    for (const plan of plans) {
      const srv = createServer(sock => {
        open.add(sock)
        sock.once('close', () => open.delete(sock))
        serveConnection(sock, engine, maps, plan.level, timeout)
      })
      await listen(srv, plan)
      servers.push({ srv, plan })
    }
  } catch (e) {
    await close()
    throw e
  }
  return { close }
}
