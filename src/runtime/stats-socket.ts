import { createServer, type Server, type Socket } from 'node:net'
import { chmodSync, unlinkSync } from 'node:fs'
import type { Engine } from '../proxy/engine.ts'
import type { StatsSocketPlan } from '../config/plan.ts'
import type { MapStore } from '../rules/maps.ts'
import { defaultMapStore } from '../rules/maps.ts'
import { Level, type CliSession, type ReloadHook } from './cli-context.ts'
import { runCommandWaiting, splitLine } from './commands.ts'

/** Longest request line accepted (HAProxy's CLI buffer is about one bufsize). */
const MAX_LINE = 16384

/** Serves HAProxy's runtime API text protocol on one connection: without
 *  prompt mode, one request line is answered and the connection closed; in
 *  prompt mode answers end with "\n> " and the connection stays until `quit`,
 *  `prompt` again, the peer's close or `stats timeout` of inactivity. */
function serveConnection (sock: Socket, s: CliSession, timeout: number): void {
  let pending = ''
  let closing = false
  // lines are answered in order; a command that waits (reload) holds the next ones
  let queue: Promise<void> = Promise.resolve()
  const answer = (line: string): void => {
    queue = queue.then(async () => {
      if (closing || sock.destroyed) return
      if (!await answerLine(sock, s, line)) closing = true
    })
  }
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
      answer(line)
    }
    if (pending.length > MAX_LINE) sock.destroy()
  })
  // a request without its final line feed is still answered at the peer's end of stream
  sock.on('end', () => {
    if (pending !== '') answer(pending)
    pending = ''
    queue = queue.then(() => { sock.end() })
  })
}

/** Answers <line>; returns false once the connection is being closed. */
async function answerLine (sock: Socket, s: CliSession, line: string): Promise<boolean> {
  let out = ''
  for (const args of splitLine(line)) {
    const r = runCommandWaiting(args, s)
    out += typeof r === 'string' ? r : await r
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

/** Where a stats socket listens: sockets with the same key survive a reload. */
function addressKey (p: StatsSocketPlan): string {
  return p.kind === 'unix' ? 'unix:' + p.path : p.kind === 'tcp' ? `tcp:${p.host}:${p.port}` : `fd:${p.fd}`
}

interface Listening { readonly srv: Server; plan: StatsSocketPlan }

/** The open `stats socket`s of the process; their connections use the
 *  engine's current generation and the socket's current level. */
export interface StatsSockets {
  /** Follows a new configuration: sockets at the same address are kept (level and mode
   *  updated), removed ones closed, new ones opened. A listen error is thrown after the
   *  others were handled; the failed socket stays closed. */
  update (plans: readonly StatsSocketPlan[]): Promise<void>
  /** What the `reload` command runs (the CLI's SIGHUP reload). */
  onReload (hook: ReloadHook): void
  close (): Promise<void>
}

/** Opens every `stats socket` of the configuration. <maps> is the MapStore the
 *  rules were compiled with (the default store unless the integrator passes one).
 *  On a listen error the sockets already opened are closed and the error thrown. */
export async function startStatsSockets (engine: Engine, plans: readonly StatsSocketPlan[], maps: MapStore = defaultMapStore):
  Promise<StatsSockets> {
  const byKey = new Map<string, Listening>()
  const open = new Set<Socket>()
  let reload: ReloadHook | null = null
  const closeOne = async (key: string, l: Listening): Promise<void> => {
    byKey.delete(key)
    await new Promise<void>(resolve => l.srv.close(() => resolve()))
    if (l.plan.kind === 'unix') { try { unlinkSync(l.plan.path) } catch { /* already gone */ } }
  }
  const openOne = async (plan: StatsSocketPlan): Promise<void> => {
    const l: Listening = {
      plan,
      // half-open: a client that ends its side after the request (echo cmd | socat) still gets the
      // answer of a command that waits (reload); serveConnection ends the connection itself
      srv: createServer({ allowHalfOpen: true }, sock => {
        open.add(sock)
        sock.once('close', () => open.delete(sock))
        const session: CliSession = { engine, maps, reload, level: Level[l.plan.level], interactive: false, quit: false }
        serveConnection(sock, session, engine.current.plan.global.statsTimeout ?? 10000)
      })
    }
    await listen(l.srv, plan)
    byKey.set(addressKey(plan), l)
  }
  const close = async (): Promise<void> => {
    for (const c of open) c.destroy()
    for (const [key, l] of [...byKey]) await closeOne(key, l)
  }
  const update = async (next: readonly StatsSocketPlan[]): Promise<void> => {
    const wanted = new Map(next.map(p => [addressKey(p), p]))
    for (const [key, l] of [...byKey]) if (!wanted.has(key)) await closeOne(key, l)
    let failure: unknown = null
    for (const [key, plan] of wanted) {
      const kept = byKey.get(key)
      if (kept === undefined) {
        try { await openOne(plan) } catch (e) { failure ??= e }
        continue
      }
      kept.plan = plan
      if (plan.kind === 'unix' && plan.mode > 0) chmodSync(plan.path, plan.mode)
    }
    if (failure !== null) throw failure
  }
  try {
    for (const plan of plans) await openOne(plan)
  } catch (e) {
    await close()
    throw e
  }
  return { update, close, onReload: hook => { reload = hook } }
}
