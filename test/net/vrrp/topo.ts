/** A LAN in namespaces for the VRRP net tests: one bridge namespace and node
 *  namespaces each joined by a veth pair (eth0 inside, 10.77.0.<n>/24), plus
 *  helpers to start pocketlb's engine or keepalived in them and to watch their
 *  state from the log lines both print ("(VI_1) Entering MASTER STATE"). */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process'
import { createConnection } from 'node:net'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { sleep, until } from '../../helpers/wait.ts'

const RUN_VRRP = new URL('./run-vrrp.ts', import.meta.url).pathname
const RUN_HANDLE = new URL('./run-handle.ts', import.meta.url).pathname
const POCKETLB_MAIN = new URL('../../../src/main.ts', import.meta.url).pathname

function sh (args: string[]): string {
  const r = spawnSync(args[0]!, args.slice(1), { encoding: 'utf8', timeout: 10_000 })
  if (r.status !== 0) throw new Error(`${args.join(' ')}: ${r.stderr}`)
  return r.stdout
}

/** pocketlb: `pocketlb vrrp`; handle: startVrrp() with stdin tracks; appliance: `pocketlb -f h.cfg --vrrp k.conf` */
export type DaemonKind = 'pocketlb' | 'keepalived' | 'handle' | 'appliance'

export interface Daemon {
  readonly kind: DaemonKind
  readonly proc: ChildProcess
  /** Every log line so far */
  readonly lines: string[]
  /** Last state announced ("MASTER", "BACKUP", "FAULT") or "" */
  state: string
  /** performance.now() of the last "Entering MASTER" */
  masterAt: number
  /** keepalived's VRRP child pid file */
  readonly vrrpPidFile: string
}

export class Lan {
  readonly id = `${process.pid}`
  readonly br = `plbv-br-${this.id}`
  readonly nodes: string[] = []
  readonly dir = mkdtempSync(join(tmpdir(), 'plbv-net-'))
  readonly daemons: Daemon[] = []

  constructor (count: number) {
    sh(['ip', 'netns', 'add', this.br])
    sh(['ip', '-n', this.br, 'link', 'add', 'br0', 'type', 'bridge'])
    sh(['ip', '-n', this.br, 'link', 'set', 'br0', 'up'])
    for (let n = 1; n <= count; n++) {
      const ns = `plbv-n${n}-${this.id}`
      sh(['ip', 'netns', 'add', ns])
      this.nodes.push(ns)
      sh(['ip', 'link', 'add', `plbv${n}x${this.id}`, 'netns', ns, 'type', 'veth', 'peer', 'name', `p${n}`, 'netns', this.br])
      sh(['ip', '-n', ns, 'link', 'set', `plbv${n}x${this.id}`, 'name', 'eth0'])
      sh(['ip', '-n', ns, 'addr', 'add', `10.77.0.${n}/24`, 'dev', 'eth0'])
      sh(['ip', '-n', ns, 'link', 'set', 'eth0', 'up'])
      sh(['ip', '-n', ns, 'link', 'set', 'lo', 'up'])
      sh(['ip', '-n', this.br, 'link', 'set', `p${n}`, 'master', 'br0'])
      sh(['ip', '-n', this.br, 'link', 'set', `p${n}`, 'up'])
    }
  }

  ns (n: number): string { return this.nodes[n - 1]! }

  /** Starts pocketlb's engine or keepalived in node <n> with configuration <conf>. */
  start (n: number, kind: 'pocketlb' | 'keepalived' | 'handle', conf: string): Daemon {
    const file = this.file(`${kind}-${n}-${this.daemons.length}.conf`, conf)
    const pid = join(this.dir, `k${n}-${this.daemons.length}.pid`)
    const vrrpPidFile = join(this.dir, `v${n}-${this.daemons.length}.pid`)
    const cmd = kind === 'pocketlb'
      ? [process.execPath, '--import', 'tsx', RUN_VRRP, '-f', file]
      : kind === 'handle'
        ? [process.execPath, '--import', 'tsx', RUN_HANDLE, file]
        : ['keepalived', '-n', '-l', '-D', '-f', file, '-p', pid, '-r', vrrpPidFile]
    return this.spawnIn(n, kind, cmd, vrrpPidFile)
  }

  /** Starts the whole appliance in node <n>: the proxy on <haproxyCfg> and VRRP on <keepalivedConf>. */
  startAppliance (n: number, haproxyCfg: string, keepalivedConf: string): Daemon {
    const h = this.file(`haproxy-${n}-${this.daemons.length}.cfg`, haproxyCfg)
    const k = this.file(`keepalived-${n}-${this.daemons.length}.conf`, keepalivedConf)
    return this.spawnIn(n, 'appliance', [process.execPath, '--import', 'tsx', POCKETLB_MAIN, '-f', h, '--vrrp', k], '')
  }

  private file (name: string, text: string): string {
    const path = join(this.dir, name)
    writeFileSync(path, text)
    return path
  }

  private spawnIn (n: number, kind: DaemonKind, cmd: string[], vrrpPidFile: string): Daemon {
    const proc = spawn('ip', ['netns', 'exec', this.ns(n), ...cmd], { stdio: ['pipe', 'pipe', 'pipe'] })
    const d: Daemon = { kind, proc, lines: [], state: '', masterAt: 0, vrrpPidFile }
    const onData = (buf: Buffer): void => {
      for (const line of buf.toString().split('\n')) {
        if (!line) continue
        d.lines.push(line)
        const m = /Entering (MASTER|BACKUP|FAULT) STATE/.exec(line)
        if (m) { d.state = m[1]!; if (d.state === 'MASTER') d.masterAt = performance.now() }
      }
    }
    proc.stdout!.on('data', onData)
    proc.stderr!.on('data', onData)
    this.daemons.push(d)
    return d
  }

  /** SIGKILL: for keepalived both its VRRP child and parent, so no priority 0 is sent. */
  crash (d: Daemon): void {
    if (d.kind === 'keepalived') {
      // stop the parent first so that it neither respawns the child nor signals it
      d.proc.kill('SIGSTOP')
      try { process.kill(Number(readFileSync(d.vrrpPidFile, 'utf8')), 'SIGKILL') } catch {}
    }
    d.proc.kill('SIGKILL')   // `ip netns exec` execs the command: this is the daemon itself
  }

  async terminate (d: Daemon): Promise<void> {
    if (d.proc.exitCode !== null || d.proc.signalCode !== null) return
    const exited = new Promise(resolve => d.proc.once('exit', resolve))
    d.proc.kill('SIGTERM')
    await Promise.race([exited, sleep(5000)])
    if (d.proc.exitCode === null && d.proc.signalCode === null) this.crash(d)
  }

  /** True when node <n> holds <vip> on eth0. */
  hasVip (n: number, vip: string): boolean {
    return sh(['ip', '-n', this.ns(n), '-4', 'addr', 'show', 'dev', 'eth0']).includes(`inet ${vip}/`)
  }

  mac (n: number): string {
    return /link\/ether ([0-9a-f:]+)/.exec(sh(['ip', '-n', this.ns(n), 'link', 'show', 'eth0']))![1]!
  }

  /** MAC that answers ARP for <ip> when asked from node <from>, or null. */
  arpAnswer (from: number, ip: string): string | null {
    const r = spawnSync('ip', ['netns', 'exec', this.ns(from), 'arping', '-c', '1', '-w', '2', '-i', 'eth0', ip], { encoding: 'utf8', timeout: 5000 })
    return /from ([0-9a-f:]{17})/.exec(r.stdout)?.[1] ?? null
  }

  /** MAC that node <n>'s neighbour table holds for <ip> (learnt from gratuitous ARP), or null. */
  neighbour (n: number, ip: string): string | null {
    return /lladdr ([0-9a-f:]+)/.exec(sh(['ip', '-n', this.ns(n), 'neigh', 'show', ip]))?.[1] ?? null
  }

  /** Link of node <n> down/up (a dead box: a crashed daemon leaves its VIP configured). */
  link (n: number, up: boolean): void {
    sh(['ip', '-n', this.ns(n), 'link', 'set', 'eth0', up ? 'up' : 'down'])
  }

  /** Gives node <n> a neighbour entry <ip> → <mac>, as a client that talked to the old master has. */
  setNeighbour (n: number, ip: string, mac: string): void {
    sh(['ip', '-n', this.ns(n), 'neigh', 'replace', ip, 'lladdr', mac, 'dev', 'eth0', 'nud', 'stale'])
  }

  async destroy (): Promise<void> {
    await Promise.all(this.daemons.map(d => this.terminate(d)))
    for (const ns of [...this.nodes, this.br]) spawnSync('ip', ['netns', 'del', ns])
    rmSync(this.dir, { recursive: true, force: true })
  }
}

export { sleep, until }

/** One runtime API command on the unix socket <path> (reachable from every namespace). */
export function runtime (path: string, cmd: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const sock = createConnection(path)
    let out = ''
    sock.setTimeout(3000, () => { sock.destroy(); reject(new Error(`no answer to '${cmd}'`)) })
    sock.on('data', d => { out += d.toString() })
    sock.on('end', () => resolve(out))
    sock.on('error', reject)
    sock.write(`${cmd}\n`)
  })
}

/** The appliance's proxy side for the VRRP tests: the stats socket <sock> at level
 *  admin, one HTTP frontend on 127.0.0.1:28080 (the node's own loopback) and backend
 *  app with <servers> servers s1… on 127.0.0.1:28081…, none of them running. */
export const applianceProxyCfg = (sock: string, servers: number): string => `global
  stats socket ${sock} level admin
defaults
  mode http
  timeout connect 1s
  timeout client 5s
  timeout server 5s
frontend fe
  bind 127.0.0.1:28080
  default_backend app
backend app
${Array.from({ length: servers }, (_, i) => `  server s${i + 1} 127.0.0.1:${28081 + i}\n`).join('')}`

export function vrrpConf (o: { prio: number; version: 2 | 3; advert: string; peers?: string[]; src?: string; nopreempt?: boolean; state?: string }): string {
  return `global_defs {
  router_id plbv
  vrrp_version ${o.version}
  vrrp_garp_master_delay 1
}
vrrp_instance VI_1 {
  state ${o.state ?? 'BACKUP'}
  interface eth0
  virtual_router_id 77
  priority ${o.prio}
  advert_int ${o.advert}
${o.nopreempt ? '  nopreempt\n' : ''}${o.src ? `  unicast_src_ip ${o.src}\n` : ''}${o.peers ? `  unicast_peer {\n${o.peers.map(p => `    ${p}`).join('\n')}\n  }\n` : ''}  virtual_ipaddress {
    10.77.0.100/24
  }
}
`
}
