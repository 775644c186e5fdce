// The namespaces of the observe net tests (root only), named after the test's PID:
//   pc (eth0 10.88.0.1, fd88::1) ── [eth0  node br0 10.88.0.3, fd88::3  eth1] ── srv (eth0 10.88.0.2, fd88::2)
// and helpers to talk from the pc: one-shot exchanges (peer.ts tcp|udp) and
// keep-alive sessions (peer.ts session). Everything is removed by close().
import { spawn, spawnSync, type ChildProcess } from 'node:child_process'
import { createInterface } from 'node:readline'
import { createServer, type AddressInfo } from 'node:net'
import { connect as tlsConnect } from 'node:tls'

export const SERVER = '10.88.0.2'
export const SERVER6 = 'fd88::2'
export const PEER = new URL('./peer.ts', import.meta.url).pathname

export function sh (...args: string[]): string {
  const r = spawnSync(args[0]!, args.slice(1), { encoding: 'utf8', timeout: 10_000 })
  if (r.status !== 0) throw new Error(`${args.join(' ')}: ${r.stderr}`)
  return r.stdout
}

/** A real ClientHello with SNI <name>, as node's TLS client sends it. */
export async function clientHello (name: string): Promise<Buffer> {
  return new Promise(resolve => {
    const srv = createServer(s => { s.once('data', d => { s.destroy(); srv.close(); resolve(d) }) })
    srv.listen(0, '127.0.0.1', () => {
      const c = tlsConnect({ port: (srv.address() as AddressInfo).port, host: '127.0.0.1', servername: name, rejectUnauthorized: false })
      c.on('error', () => {})
    })
  })
}

/** A keep-alive HTTP connection from the pc: each exchange() writes a request and
 *  resolves with the one whole response to it. */
export interface Session {
  exchange (req: Buffer): Promise<Buffer>
  close (): void
}

export class ObserveNet {
  readonly ns: { readonly pc: string; readonly node: string; readonly srv: string }
  private readonly procs: ChildProcess[] = []

  constructor (tag: string) {
    const id = process.pid
    this.ns = { pc: `plbo${tag}-pc-${id}`, node: `plbo${tag}-node-${id}`, srv: `plbo${tag}-srv-${id}` }
  }

  /** Builds the namespaces and wires them; when <bridge>, the node bridges its ports
   *  (otherwise they are left for `pocketlb --observe` to bridge). Starts the server. */
  async build (bridge: boolean): Promise<void> {
    const { pc, node, srv } = this.ns
    for (const ns of [pc, node, srv]) { sh('ip', 'netns', 'add', ns); sh('ip', '-n', ns, 'link', 'set', 'lo', 'up') }
    sh('ip', '-n', node, 'link', 'add', 'eth0', 'type', 'veth', 'peer', 'name', 'eth0', 'netns', pc)
    sh('ip', '-n', node, 'link', 'add', 'eth1', 'type', 'veth', 'peer', 'name', 'eth0', 'netns', srv)
    for (const [ns, n] of [[pc, 1], [srv, 2]] as const) {
      sh('ip', '-n', ns, 'addr', 'add', `10.88.0.${n}/24`, 'dev', 'eth0')
      sh('ip', '-n', ns, '-6', 'addr', 'add', `fd88::${n}/64`, 'dev', 'eth0', 'nodad')
      sh('ip', '-n', ns, 'link', 'set', 'eth0', 'up')
    }
    if (bridge) {
      sh('ip', '-n', node, 'link', 'add', 'br0', 'type', 'bridge')
      for (const dev of ['eth0', 'eth1']) sh('ip', '-n', node, 'link', 'set', dev, 'master', 'br0', 'up')
      sh('ip', '-n', node, 'addr', 'add', '10.88.0.3/24', 'dev', 'br0')
      sh('ip', '-n', node, '-6', 'addr', 'add', 'fd88::3/64', 'dev', 'br0', 'nodad')
      sh('ip', '-n', node, 'link', 'set', 'br0', 'up')
    } else {
      sh('ip', '-n', node, 'addr', 'add', '10.88.0.3/24', 'dev', 'eth1')
      sh('ip', '-n', node, '-6', 'addr', 'add', 'fd88::3/64', 'dev', 'eth1', 'nodad')
      for (const dev of ['eth0', 'eth1']) sh('ip', '-n', node, 'link', 'set', dev, 'up')
    }
    const server = this.spawnIn(srv, [process.execPath, '--import', 'tsx', PEER, 'serve'])
    await new Promise(resolve => server.stdout!.once('data', resolve))
  }

  /** <argv> run inside <ns>; ended by close() */
  spawnIn (ns: string, argv: string[]): ChildProcess {
    const p = spawn('ip', ['netns', 'exec', ns, ...argv], { stdio: ['pipe', 'pipe', 'pipe'] })
    this.procs.push(p)
    return p
  }

  /** Sends <payload> from the pc over TCP/UDP to <host>:<port> (then half-closes)
   *  and resolves with what came back. */
  send (kind: 'tcp' | 'udp', port: number, payload: Buffer, host = SERVER): Promise<Buffer> {
    return new Promise((resolve, reject) => {
      const p = this.spawnIn(this.ns.pc, [process.execPath, '--import', 'tsx', PEER, kind, host, String(port), payload.toString('base64')])
      let out = ''; let err = ''
      p.stdout!.on('data', d => { out += d })
      p.stderr!.on('data', d => { err += d })
      p.on('exit', code => code === 0 ? resolve(Buffer.from(out, 'base64')) : reject(new Error(`${kind}:${port} exit ${code}: ${err}`)))
    })
  }

  /** Opens a keep-alive connection from the pc to <host>:<port>. */
  async session (port: number, host = SERVER): Promise<Session> {
    const p = this.spawnIn(this.ns.pc, [process.execPath, '--import', 'tsx', PEER, 'session', host, String(port)])
    let err = ''
    p.stderr!.on('data', d => { err += d })
    const lines = createInterface({ input: p.stdout! })
    const waiting: Array<(line: string) => void> = []
    lines.on('line', l => waiting.shift()?.(l))
    await new Promise<void>((resolve, reject) => {
      waiting.push(l => l === 'connected' ? resolve() : reject(new Error(`session: ${l} ${err}`)))
      p.once('exit', code => reject(new Error(`session exit ${code}: ${err}`)))
    })
    return {
      exchange: req => new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`session: no response in 4 s ${err}`)), 4000)
        waiting.push(l => { clearTimeout(timer); resolve(Buffer.from(l, 'base64')) })
        p.stdin!.write(req.toString('base64') + '\n')
      }),
      close: () => { p.stdin!.end() }
    }
  }

  async close (): Promise<void> {
    for (const p of this.procs) if (p.exitCode === null && p.signalCode === null) p.kill('SIGTERM')
    await new Promise(resolve => setTimeout(resolve, 300))
    for (const p of this.procs) if (p.exitCode === null && p.signalCode === null) p.kill('SIGKILL')
    for (const ns of Object.values(this.ns)) spawnSync('ip', ['netns', 'del', ns])
  }
}
