/** Where log lines go: the `log` targets of a proxy (or of `global`).
 *  - udp: one dgram socket per target, connected to it once (its address is an
 *    IP resolved at config time): each line is a plain send, without Node's
 *    per-send address lookup (about 8 % of the CPU of a logged line). Lines
 *    framed before the connect completes wait for it (bounded). Never blocking;
 *    failures are counted in <errors>, never thrown.
 *  - stdout/stderr: one shared buffered sonic-boom (pino.destination, async)
 *    per fd, framed like HAProxy ("log stdout format raw ...").
 *  - unix (/dev/log): Node has no unix datagram sockets; such targets are
 *    skipped, counted in <unsupported>, with one warning on stderr per sink.
 *  Level filtering as HAProxy: a line is sent when level <= maxLevel; a
 *  level more severe than minLevel is raised to minLevel. */
import dgram from 'node:dgram'
import { isIPv6 } from 'node:net'
import pino from 'pino'
import type { LogTarget } from '../config/plan.ts'
import type { Clock } from '../core/clock.ts'
import { systemClock } from '../core/clock.ts'
import { compileSyslogFraming, datagram, stripTrailingNewlines } from './syslog.ts'
import type { SyslogFramer, SyslogIdent } from './syslog.ts'

type Destination = ReturnType<typeof pino.destination>

const fdDestinations = new Map<number, Destination>()

/** The process-wide buffered writer of fd 1 or 2 (never closed, flushed on sink close) */
export function fdDestination (fd: 1 | 2): Destination {
  let d = fdDestinations.get(fd)
  if (!d) { d = pino.destination({ dest: fd, sync: false }); fdDestinations.set(fd, d) }
  return d
}

/** lines a UDP target keeps while its socket connects (a burst at start); more are dropped and counted */
const MAX_WAITING = 256

const OUT_UDP = 0
const OUT_FD = 1
const OUT_NONE = 2

/** One compiled target: every field set in the constructor (one shape) */
class TargetOut {
  constructor (
    readonly out: number,
    readonly frame: SyslogFramer,
    readonly maxLen: number,
    readonly minLevel: number,
    readonly maxLevel: number,
    readonly socket: dgram.Socket | null,
    readonly dest: Destination | null
  ) {}

  /** UDP: datagrams framed while the socket connects, sent once it did (then null) */
  waiting: Buffer[] | null = null
}

export interface LogSinkOptions {
  readonly tag: string
  /** log-send-hostname value, null when not set */
  readonly hostname: string | null
  /** default process.pid */
  readonly pid?: number
  /** send times for the headers; default system clock */
  readonly clock?: Clock
}

export class LogSink {
  /** sends that failed (socket errors) */
  errors = 0
  /** lines not sent because their target kind is unsupported (unix datagram) */
  unsupported = 0
  private readonly outs: TargetOut[]
  private readonly sockets: dgram.Socket[] = []
  private readonly clock: Clock
  private readonly onSent: (err: Error | null) => void
  /** UDP sends handed to node and not yet completed */
  private pending = 0

  constructor (targets: readonly LogTarget[], opts: LogSinkOptions) {
    this.clock = opts.clock ?? systemClock
    this.onSent = err => { this.pending--; if (err) this.errors++ }
    const ident: SyslogIdent = { tag: opts.tag, pid: opts.pid ?? process.pid, hostname: opts.hostname }
    let warned = false
    this.outs = targets.map(t => {
      const frame = compileSyslogFraming(t.format, t.facility, ident, t.formatSet === true)
      if (t.kind === 'udp') {
        const sock = dgram.createSocket(isIPv6(t.host) ? 'udp6' : 'udp4')
        // an unreachable receiver is also reported to the next send, counted there
        sock.on('error', ignoreSocketError)
        sock.unref()
        this.sockets.push(sock)
        const o = new TargetOut(OUT_UDP, frame, t.maxLen, t.minLevel, t.maxLevel, sock, null)
        o.waiting = []
        sock.connect(t.port, t.host, () => { this.connected(o) })
        return o
      }
      if (t.kind === 'stdout' || t.kind === 'stderr') {
        return new TargetOut(OUT_FD, frame, t.maxLen, t.minLevel, t.maxLevel, null, fdDestination(t.kind === 'stdout' ? 1 : 2))
      }
      if (!warned) {
        warned = true
        process.stderr.write(`[WARNING]  (${process.pid}) : log: unix datagram target '${t.path}' is not supported by this runtime; its lines are dropped.\n`)
      }
      return new TargetOut(OUT_NONE, frame, t.maxLen, t.minLevel, t.maxLevel, null, null)
    })
  }

  /** True when at least one target would take a line of <level> (callers may skip formatting). */
  wants (level: number): boolean {
    for (const o of this.outs) if (level <= o.maxLevel) return true
    return false
  }

  /** Sends <line> (one message, without newline) at syslog <level> (0..7) to
   *  every target whose range admits it. Never throws, never blocks. */
  send (level: number, line: string): void {
    const msg = stripTrailingNewlines(line)
    const now = this.clock.wall()
    for (let i = 0; i < this.outs.length; i++) {
      const o = this.outs[i]
      if (level > o.maxLevel) continue
      const framed = o.frame(level < o.minLevel ? o.minLevel : level, msg, now)
      if (o.out === OUT_UDP) {
        const d = datagram(framed, o.maxLen)
        if (o.waiting === null) this.sendUdp(o, d)
        else if (o.waiting.length < MAX_WAITING) { o.waiting.push(d); this.pending++ } else this.errors++
      } else if (o.out === OUT_FD) {
        // the common short line skips the byte-exact cut
        (o.dest as Destination).write(framed.length < o.maxLen >> 2 ? framed + '\n' : datagram(framed, o.maxLen).toString('utf8'))
      } else {
        this.unsupported++
      }
    }
  }

  /** <d> on <o>'s connected socket. */
  private sendUdp (o: TargetOut, d: Buffer): void {
    try {
      (o.socket as dgram.Socket).send(d, this.onSent)
      this.pending++
    } catch {
      this.errors++ // socket already closed
    }
  }

  /** <o>'s socket is connected: the lines waiting for it go. */
  private connected (o: TargetOut): void {
    const w = o.waiting ?? []
    o.waiting = null
    this.pending -= w.length
    for (const d of w) this.sendUdp(o, d)
  }

  /** Flushes the fd writers, waits (at most <timeoutMs>) for the UDP sends
   *  in progress (and those waiting for a connect), then closes the sockets. Never rejects. */
  async close (timeoutMs = 1000): Promise<void> {
    for (const o of this.outs) {
      try { o.dest?.flushSync() } catch { /* a write is in flight: it completes on its own */ }
    }
    const until = Date.now() + timeoutMs
    while (this.pending > 0 && Date.now() < until) await new Promise(resolve => setTimeout(resolve, 5))
    await Promise.all(this.sockets.map(s => new Promise<void>(resolve => s.close(() => resolve()))))
    this.sockets.length = 0
  }
}

function ignoreSocketError (): void {}
