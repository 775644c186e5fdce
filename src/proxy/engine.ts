import type { Socket } from 'node:net'
import type { Plan, FrontendPlan } from '../config/plan.ts'
import { BackendRuntime } from './backend-runtime.ts'
import { FrontendRuntime, ProcessCounters } from './frontend-runtime.ts'
import { HttpSession } from './http-session.ts'
import { TcpSession } from './tcp-session.ts'
import { Listener, bindKeys } from './listener.ts'
import { createAccessLogger } from './access-log.ts'
import type { LogSink } from '../log/sink.ts'
import { HealthWiring } from './health-wiring.ts'
import { statsPageResponse } from '../runtime/stats-page.ts'
import type { LocalPage, LocalService } from './frontend-runtime.ts'
import { prometheusResponse } from '../runtime/prometheus.ts'

/** True when an operator may kill a server's streams: an admin-level stats
 *  socket (`shutdown sessions server`) or a stats page with `stats admin`. */
function operatorMayKill (plan: Plan): boolean {
  if (plan.global.statsSockets.some(s => s.level === 'admin')) return true
  for (const fe of plan.frontends) if (fe.statsPage?.admin != null) return true
  for (const be of plan.backends.values()) if (be.statsPage?.admin != null) return true
  return false
}

/** Everything that serves traffic for one Plan. Replaced whole on reload;
 *  streams keep the generation they were accepted with. */
export class Generation {
  readonly frontends: FrontendRuntime[] = []
  readonly backends = new Map<string, BackendRuntime>()
  readonly sinks: LogSink[] = []
  private health: HealthWiring | null = null

  /** <engine>: whose counters `use-service prometheus-exporter` shows */
  constructor (readonly plan: Plan, readonly process: ProcessCounters, previous: Generation | null, engine: Engine) {
    const killable = operatorMayKill(plan)
    for (const [name, bp] of plan.backends) this.backends.set(name, new BackendRuntime(bp, previous?.backends.get(name), killable))
    const localPage: LocalPage = (page, req) => statsPageResponse(this, page, req)
    const service: LocalService = (_name, head) => prometheusResponse(engine, head)
    for (const fp of plan.frontends) {
      const al = createAccessLogger(fp, plan.global)
      if (al !== null) this.sinks.push(al.sink)
      this.frontends.push(new FrontendRuntime(fp, plan.global, this.backends, process, al?.logger ?? null, localPage, service))
    }
    const byName = new Map(this.frontends.map(fe => [fe.plan.name, fe]))
    for (const fe of this.frontends) fe.siblings = byName
  }

  /** Starts health checks (once the generation is the one in service). */
  startChecks (quiet: boolean): void {
    this.health = new HealthWiring(this.backends.values(), this.plan.global, quiet)
  }

  /** No new transaction starts on this generation's keep-alive connections. */
  retire (): void {
    for (const fe of this.frontends) fe.retired = true
  }

  close (): void {
    this.health?.stop()
    for (const be of this.backends.values()) be.closeIdle()
    for (const s of this.sinks) s.close()
  }
}

/** The data plane: listeners, the current generation, admission control
 *  (global and frontend maxconn: extra connections wait, paused, as in the
 *  kernel backlog behind HAProxy), reload and stops. */
export class Engine {
  readonly process = new ProcessCounters()
  private gen: Generation | null = null
  private readonly listeners = new Map<string, Listener>()
  private readonly waiting: { sock: Socket; fe: FrontendRuntime }[] = []
  /** client connections in service, so that a hard stop can close them */
  private readonly clients = new Set<Socket>()
  private stopResolve: (() => void) | null = null

  /** <quiet>: no console messages for health transitions (tests) */
  constructor (private readonly quiet = false) {
    this.process.onSessionEnd = () => this.onSessionEnd()
  }

  get current (): Generation { return this.gen! }

  /** Starts serving <plan>, or swaps to it when already running. Listeners
   *  with the same address are kept (no refused connection during reload);
   *  new ones are opened first, so a bind error leaves the old plan in service. */
  async apply (plan: Plan): Promise<void> {
    const next = new Generation(plan, this.process, this.gen, this)
    const wanted = new Map<string, { fe: FrontendRuntime; port: number; fp: FrontendPlan; bindIndex: number }>()
    next.frontends.forEach(fe => {
      if (fe.plan.disabled) return
      fe.plan.binds.forEach((b, bindIndex) => {
        for (const k of bindKeys(b)) wanted.set(k.key, { fe, port: k.port, fp: fe.plan, bindIndex })
      })
    })
    const opened: Listener[] = []
    try {
      for (const [key, w] of wanted) {
        if (this.listeners.has(key)) continue
        const l = new Listener(key, s => this.accept(s, w.fe))
        await l.listen(w.fp.binds[w.bindIndex], w.port, w.fp.backlog || w.fp.maxconn || 1024)
        opened.push(l)
      }
    } catch (e) {
      for (const l of opened) await l.close()
      next.close()
      throw e
    }
    for (const l of opened) this.listeners.set(l.key, l)
    for (const [key, l] of this.listeners) {
      const w = wanted.get(key)
      if (w === undefined) { this.listeners.delete(key); void l.close(); continue }
      l.handler = s => this.accept(s, w.fe)
      l.useTls(w.fp.binds[w.bindIndex]!.tls ?? null, w.fp.timeouts.client)
    }
    const old = this.gen
    this.gen = next
    next.startChecks(this.quiet)
    // idle pooled connections of the old generation are not handed to new streams
    old?.retire()
    old?.close()
  }

  private accept (sock: Socket, fe: FrontendRuntime): void {
    const p = this.process
    if (p.stopping) { sock.destroy(); return }
    if (p.actconn >= fe.global.maxconn || (fe.plan.maxconn > 0 && fe.cur >= fe.plan.maxconn)) {
      sock.pause()
      sock.on('error', () => {})
      this.waiting.push({ sock, fe })
      return
    }
    this.startSession(sock, fe)
  }

  private startSession (sock: Socket, fe: FrontendRuntime): void {
    const p = this.process
    p.actconn++
    p.totalConns++
    fe.cur++
    fe.total++
    if (fe.cur > fe.maxCur) fe.maxCur = fe.cur
    this.clients.add(sock)
    sock.once('close', () => this.clients.delete(sock))
    if (fe.plan.mode === 'http') new HttpSession(sock, fe)
    else new TcpSession(sock, fe)
  }

  private onSessionEnd (): void {
    while (this.waiting.length > 0) {
      const w = this.waiting[0]
      if (w.sock.destroyed) { this.waiting.shift(); continue }
      if (this.process.actconn >= w.fe.global.maxconn || (w.fe.plan.maxconn > 0 && w.fe.cur >= w.fe.plan.maxconn)) break
      this.waiting.shift()
      w.sock.resume()
      this.startSession(w.sock, w.fe)
    }
    if (this.process.stopping && this.process.actconn === 0 && this.stopResolve !== null) this.stopResolve()
  }

  /** Stops everything at once: listeners, checks, and (by the caller) the process. */
  async stop (): Promise<void> {
    this.process.stopping = true
    await Promise.all([...this.listeners.values()].map(l => l.close()))
    this.listeners.clear()
    for (const w of this.waiting.splice(0)) w.sock.destroy()
    for (const s of this.clients) s.destroy()
    this.gen?.close()
  }

  /** Soft stop (SIGUSR1): stop accepting, close keep-alive clients waiting
   *  between requests, let the others finish their transaction; resolves
   *  when no stream is left. */
  softStop (): Promise<void> {
    this.process.stopping = true
    for (const l of this.listeners.values()) void l.close()
    this.listeners.clear()
    for (const w of this.waiting.splice(0)) w.sock.destroy()
    for (const c of [...this.process.idle]) c.closeIdle()
    if (this.process.actconn === 0) { this.gen?.close(); return Promise.resolve() }
    return new Promise(resolve => { this.stopResolve = () => { this.gen?.close(); resolve() } })
  }

  /** Addresses actually listened on (tests use port 0 binds). */
  addresses (): { key: string; port: number }[] {
    const out: { key: string; port: number }[] = []
    for (const [key, l] of this.listeners) {
      const a = l.server.address()
      out.push({ key, port: a !== null && typeof a === 'object' ? a.port : 0 })
    }
    return out
  }
}
