// pocketlb itself started with --observe in the node namespace of an ObserveNet (ports
// not bridged beforehand: pocketlb bridges them), its web UI on the namespace's own
// loopback, reached from the test on the host's loopback through the lab's forwarders
// (host 127.0.0.1:<port> → unix socket → node 127.0.0.1:9000). Root only.
import { spawn, type ChildProcess } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { freePort } from '../../helpers/net.ts'
import { until } from '../../helpers/wait.ts'
import type { ObserveNet } from './topology.ts'

const ROOT = new URL('../../../', import.meta.url).pathname
const FORWARD = join(ROOT, 'scripts/lab/forward.ts')

const CONFIG = `global
defaults
  mode http
  timeout connect 1s
  timeout client 5s
  timeout server 5s
frontend unused
  bind 127.0.0.1:8081
  default_backend none
backend none
  server s1 127.0.0.1:8082
`

export interface ObservingNode {
  /** "http://127.0.0.1:<port>" on the host */
  readonly base: string
  readonly setupToken: string
  /** What pocketlb printed so far */
  output (): string
  /** SIGTERM, waits for the exit; returns its code */
  stop (): Promise<number | null>
}

function started (p: ChildProcess, text: RegExp, out: () => string, ms: number): Promise<boolean> {
  return until(() => text.test(out()) || p.exitCode !== null, ms, 50).then(() => text.test(out()))
}

/** Starts `pocketlb -f cfg --observe eth0,eth1 <extra>` in <net>'s node with its UI. */
export async function startObservingNode (net: ObserveNet, extra: string[]): Promise<ObservingNode> {
  const dir = mkdtempSync(join(tmpdir(), 'plb-observe-'))
  writeFileSync(join(dir, 'pocketlb.cfg'), CONFIG)
  let out = ''
  const plb = net.spawnIn(net.ns.node, ['env', `PLB_SETUP_TOKEN_FILE=${join(dir, 'token')}`, process.execPath, '--import', 'tsx', join(ROOT, 'src/main.ts'),
    '-f', join(dir, 'pocketlb.cfg'), '--observe', 'eth0,eth1', ...extra, '--ui', '127.0.0.1:9000', '--store', join(dir, 'ui.db')])
  plb.stdout!.on('data', d => { out += d })
  plb.stderr!.on('data', d => { out += d })
  // from the sources the UI worker builds its assets with esbuild first: slow on a loaded machine
  if (!await started(plb, /setup token/, () => out, 90_000)) throw new Error(`pocketlb --observe did not start its UI:\n${out}`)
  const sock = join(dir, 'ui.sock')
  const port = await freePort()
  let fwdOut = ''
  const inside = net.spawnIn(net.ns.node, [process.execPath, '--import', 'tsx', FORWARD, sock, '127.0.0.1:9000'])
  inside.stdout!.on('data', d => { fwdOut += d })
  if (!await started(inside, /ready/, () => fwdOut, 10_000)) throw new Error('the forwarder in the node did not start')
  const host = spawn(process.execPath, ['--import', 'tsx', FORWARD, `127.0.0.1:${port}`, sock], { stdio: ['ignore', 'pipe', 'inherit'] })
  let hostOut = ''
  host.stdout.on('data', d => { hostOut += d })
  if (!await started(host, /ready/, () => hostOut, 10_000)) { host.kill('SIGKILL'); throw new Error('the host forwarder did not start') }
  return {
    base: `http://127.0.0.1:${port}`,
    setupToken: readFileSync(join(dir, 'token'), 'utf8').trim(),
    output: () => out,
    async stop () {
      host.kill('SIGTERM')
      inside.kill('SIGTERM')
      if (plb.exitCode === null) plb.kill('SIGTERM')
      await until(() => plb.exitCode !== null && host.exitCode !== null, 5000, 50)
      rmSync(dir, { recursive: true, force: true })
      return plb.exitCode
    }
  }
}

/** Logs in as the first admin with <token>; returns the headers later calls send. */
export async function setupAdmin (base: string, token: string): Promise<{ cookie: string; 'x-csrf-token': string }> {
  const r = await fetch(`${base}/api/auth/setup`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ token, password: 'observe-pass-1' }) })
  if (r.status !== 200) throw new Error(`setup: ${r.status} ${await r.text()}`)
  const body = await r.json() as { csrf: string }
  return { cookie: r.headers.get('set-cookie')!.split(';')[0]!, 'x-csrf-token': body.csrf }
}
