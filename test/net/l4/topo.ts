/** One LAN in namespaces for the kernel-path tests: a bridge namespace, the
 *  balancer (10.88.0.1, runs `pocketlb vrrp -f`), a client (10.88.0.2 plus
 *  extra source addresses) and backends 10.88.0.11.. that answer their own name
 *  on TCP 8080 (then echo) and UDP 5353 (on every address: with lb_kind DR
 *  they hold the VIP too). Names: plbl4-<pid>-*. */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { createInterface } from 'node:readline'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { sleep, until } from '../../helpers/wait.ts'

const RUN_VRRP = new URL('../vrrp/run-vrrp.ts', import.meta.url).pathname
export const VIP = '10.88.0.100'
export const CLIENT_EXTRA = Array.from({ length: 8 }, (_, i) => `10.88.0.${21 + i}`)

export function sh (args: string[], input?: string): string {
  const r = spawnSync(args[0]!, args.slice(1), { encoding: 'utf8', timeout: 30_000, input })
  if (r.status !== 0) throw new Error(`${args.join(' ')}: ${r.stderr}`)
  return r.stdout
}

/** TCP: "<name>\n" on accept, then echo; UDP: "<name>" to every datagram. */
const BACKEND_JS = `const net = require('net'), dgram = require('dgram'); const name = process.argv[1];
net.createServer(s => { s.on('error', () => {}); s.write(name + '\\n'); s.pipe(s) }).listen(8080, '0.0.0.0');
const u = dgram.createSocket('udp4'); u.on('message', (m, r) => u.send(name, r.port, r.address)); u.bind(5353, '0.0.0.0');`

/** argv: proto host port count timeoutMs [localAddrs,comma]; prints a JSON list of first answers ("" on failure). */
const CLIENT_JS = `const net = require('net'), dgram = require('dgram'); const [proto, host, port, count, tmo, locals] = process.argv.slice(1);
const srcs = locals ? locals.split(',') : [undefined]; const out = [];
function one (i) { return new Promise(res => { const localAddress = srcs[i % srcs.length]; let done = false;
  const fin = v => { if (!done) { done = true; clearTimeout(t); res(v) } }; const t = setTimeout(() => { fin(''); try { s.destroy() } catch {} }, +tmo);
  let s;
  if (proto === 'tcp') { s = net.connect({ host, port: +port, localAddress }); s.on('error', () => fin('')); let b = ''; s.on('data', d => { b += d; if (b.includes('\\n')) { fin(b.split('\\n')[0]); s.destroy() } }) }
  else { s = dgram.createSocket('udp4'); s.on('error', () => fin('')); s.bind({ address: localAddress }, () => s.send('x', +port, host)); s.on('message', m => { fin(String(m)); s.close() }) } }) }
(async () => { for (let i = 0; i < +count; i++) out.push(await one(i)); console.log(JSON.stringify(out)) })();`

/** A long-lived TCP connection from the client through VIP:port. */
export interface LongFlow {
  /** the name its server answered */
  readonly server: string
  /** every line received */
  readonly lines: readonly string[]
  /** sends <text>; true when it came back echoed within 3 s */
  echo (text: string): Promise<boolean>
  close (): void
}

/** argv: host port; lines written on stdin go to the connection, what comes back goes to stdout */
const FLOW_JS = `const s = require('net').connect(+process.argv[2], process.argv[1]);
s.on('error', e => { console.log('ERR ' + e.message) }); s.on('close', () => console.log('CLOSED'));
s.on('data', d => process.stdout.write(String(d))); process.stdin.on('data', d => s.write(d)); process.stdin.on('end', () => s.end())`

export class L4Lan {
  readonly id = `plbl4-${process.pid}`
  readonly dir = mkdtempSync(join(tmpdir(), 'plbl4-'))
  private readonly nss: string[] = []
  private readonly procs = new Map<string, ChildProcess>()
  runner: ChildProcess | null = null
  /** runner's output lines */
  lines: string[] = []

  /** <dr>: the backends also hold the VIP on lo and never answer ARP for it
   *  (arp_ignore=1, arp_announce=2), as real servers of lb_kind DR do.
   *  <secondBalancer>: a node lb2 (10.88.0.3) beside lb, to move the VIP to. */
  constructor (readonly backends: number, opts: { readonly dr?: boolean; readonly secondBalancer?: boolean } = {}) {
    const br = this.ns('br')
    sh(['ip', 'netns', 'add', br]); this.nss.push(br)
    sh(['ip', '-n', br, 'link', 'add', 'br0', 'type', 'bridge'])
    sh(['ip', '-n', br, 'link', 'set', 'br0', 'up'])
    const nodes: [string, string][] = [['lb', '10.88.0.1'], ['cl', '10.88.0.2']]
    for (let i = 1; i <= backends; i++) nodes.push([`s${i}`, `10.88.0.${10 + i}`])
    if (opts.secondBalancer) nodes.push(['lb2', '10.88.0.3'])
    nodes.forEach(([n, ip], k) => {
      const ns = this.ns(n)
      sh(['ip', 'netns', 'add', ns]); this.nss.push(ns)
      sh(['ip', 'link', 'add', `plbl4x${k}x${process.pid}`.slice(0, 15), 'netns', ns, 'type', 'veth', 'peer', 'name', `p${k}`, 'netns', br])
      sh(['ip', '-n', ns, 'link', 'set', `plbl4x${k}x${process.pid}`.slice(0, 15), 'name', 'eth0'])
      sh(['ip', '-n', ns, 'addr', 'add', `${ip}/24`, 'dev', 'eth0'])
      sh(['ip', '-n', ns, 'link', 'set', 'eth0', 'up'])
      sh(['ip', '-n', ns, 'link', 'set', 'lo', 'up'])
      sh(['ip', '-n', br, 'link', 'set', `p${k}`, 'master', 'br0'])
      sh(['ip', '-n', br, 'link', 'set', `p${k}`, 'up'])
    })
    for (const a of CLIENT_EXTRA) sh(['ip', '-n', this.ns('cl'), 'addr', 'add', `${a}/24`, 'dev', 'eth0'])
    sh(['ip', 'netns', 'exec', this.ns('lb'), 'sysctl', '-qw', 'net.ipv4.ip_forward=1', 'net.ipv4.conf.all.send_redirects=0', 'net.ipv4.conf.eth0.send_redirects=0'])
    if (opts.dr) {
      for (let i = 1; i <= backends; i++) {
        sh(['ip', 'netns', 'exec', this.ns(`s${i}`), 'sysctl', '-qw', 'net.ipv4.conf.all.arp_ignore=1', 'net.ipv4.conf.all.arp_announce=2'])
        sh(['ip', '-n', this.ns(`s${i}`), 'addr', 'add', `${VIP}/32`, 'dev', 'lo'])
      }
    }
    for (let i = 1; i <= backends; i++) this.startBackend(i)
  }

  ns (n: string): string { return `${this.id}-${n}` }

  startBackend (i: number): void {
    const p = spawn('ip', ['netns', 'exec', this.ns(`s${i}`), process.execPath, '-e', BACKEND_JS, `s${i}`], { stdio: 'ignore' })
    this.procs.set(`s${i}`, p)
  }

  /** The running backends' pids (`ip netns exec` execs, so they are node's). */
  backendPids (): number[] {
    return [...this.procs.values()].filter(p => p.exitCode === null && p.signalCode === null).map(p => p.pid!)
  }

  async killBackend (i: number): Promise<void> {
    const p = this.procs.get(`s${i}`)
    if (!p || p.exitCode !== null || p.signalCode !== null) return
    const gone = new Promise(resolve => p.once('exit', resolve))
    p.kill('SIGKILL')
    await gone
  }

  vip (present: boolean): void {
    sh(['ip', '-n', this.ns('lb'), 'addr', present ? 'add' : 'del', `${VIP}/32`, 'dev', 'eth0'])
  }

  /** Runs <count> clients one after the other from the client namespace. */
  clients (proto: 'tcp' | 'udp', port: number, count: number, locals: string[] = []): string[] {
    const out = sh(['ip', 'netns', 'exec', this.ns('cl'), process.execPath, '-e', CLIENT_JS, proto, VIP, String(port), String(count), '2000', locals.join(',')])
    return JSON.parse(out) as string[]
  }

  async openFlow (port: number): Promise<LongFlow> {
    const p = spawn('ip', ['netns', 'exec', this.ns('cl'), process.execPath, '-e', FLOW_JS, VIP, String(port)], { stdio: ['pipe', 'pipe', 'inherit'] })
    const lines: string[] = []
    createInterface({ input: p.stdout! }).on('line', l => lines.push(l))
    const close = (): void => { p.kill('SIGKILL') }
    if (!await until(() => lines.length > 0, 5000)) { close(); throw new Error(`no answer through ${VIP}:${port}`) }
    return {
      server: lines[0]!, lines, close,
      echo: text => { p.stdin!.write(text + '\n'); return until(() => lines.includes(text), 3000) }
    }
  }

  /** Writes <conf> and runs `pocketlb vrrp -f` in the balancer with <extra> options (and <env>). */
  runVrrp (conf: string, extra: string[] = [], env: NodeJS.ProcessEnv = process.env): ChildProcess {
    this.lines = []
    this.runner = this.spawnVrrp('lb', conf, this.lines, extra, env)
    return this.runner
  }

  /** Runs `pocketlb vrrp -f <conf>` in node <node>, its output lines pushed to <lines>; the caller stops it. */
  spawnVrrp (node: string, conf: string, lines: string[], extra: string[] = [], env: NodeJS.ProcessEnv = process.env): ChildProcess {
    // lb's file keeps its name: the reload tests rewrite it
    const file = join(this.dir, node === 'lb' ? 'keepalived.conf' : `${node}-keepalived.conf`)
    writeFileSync(file, conf)
    const p = spawn('ip', ['netns', 'exec', this.ns(node), process.execPath, '--import', 'tsx', RUN_VRRP, '-f', file, ...extra], { stdio: ['ignore', 'pipe', 'pipe'], env })
    const onData = (b: Buffer): void => { for (const l of b.toString().split('\n')) if (l) lines.push(l) }
    p.stdout!.on('data', onData)
    p.stderr!.on('data', onData)
    return p
  }

  async stopRunner (): Promise<number | null> {
    const p = this.runner
    this.runner = null
    if (!p || p.exitCode !== null || p.signalCode !== null) return p?.exitCode ?? null
    const gone = new Promise<number | null>(resolve => p.once('exit', code => resolve(code)))
    p.kill('SIGTERM')
    const t = setTimeout(() => p.kill('SIGKILL'), 8000)
    const code = await gone
    clearTimeout(t)
    return code
  }

  nft (args: string[]): { ok: boolean; out: string } {
    const r = spawnSync('ip', ['netns', 'exec', this.ns('lb'), 'nft', ...args], { encoding: 'utf8', timeout: 10_000 })
    return { ok: r.status === 0, out: r.stdout + r.stderr }
  }

  async destroy (): Promise<void> {
    await this.stopRunner()
    for (const i of this.procs.keys()) await this.killBackend(Number(i.slice(1)))
    for (const ns of this.nss.reverse()) spawnSync('ip', ['netns', 'del', ns])
    rmSync(this.dir, { recursive: true, force: true })
  }
}

export { sleep, until }

export const tally = (answers: readonly string[]): Record<string, number> =>
  answers.reduce<Record<string, number>>((m, a) => { m[a] = (m[a] ?? 0) + 1; return m }, {})
