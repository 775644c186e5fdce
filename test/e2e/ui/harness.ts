import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { request } from 'node:http'
import { loadConfigFiles } from '../../../src/config/load.ts'
import { Engine } from '../../../src/proxy/engine.ts'
import { startBackend, type Backend } from '../../helpers/backends.ts'
import { freePort } from '../../helpers/net.ts'
import type { TuningInputs } from '../../../src/tuning/types.ts'

const MiB = 1024 * 1024
/** A 512 MiB, four-core board on USB power, as the tuning profile would have read it. */
export const BOARD_INPUTS: TuningInputs = {
  memTotalBytes: 512 * MiB, memAvailableBytes: 400 * MiB, cpuCount: 4, cpuMHz: 1200, power: 'usb', onBattery: false, temperatureC: null,
  board: { name: 'test-board', memoryMiB: 512, cores: 4, maxMHz: 1200, power: 'usb' }
}

/** A running data plane for UI tests: two real backends, an engine serving a
 *  config file in a temp dir, and the reload the CLI would do on SIGHUP. */
export interface Plane {
  readonly dir: string
  readonly configPath: string
  readonly engine: Engine
  readonly frontPort: number
  readonly backends: Backend[]
  readonly config: string
  reload (): Promise<{ ok: boolean; error?: string }>
  close (): Promise<void>
}

/** Writes power supply <name> with attribute files <attrs> under <root>, shaped like /sys/class/power_supply. */
export function powerSupply (root: string, name: string, attrs: Record<string, string>): void {
  mkdirSync(join(root, name), { recursive: true })
  for (const [f, v] of Object.entries(attrs)) writeFileSync(join(root, name, f), v + '\n')
}

export function planeConfig (frontPort: number, ports: number[]): string {
  return [
    'global',
    '  maxconn 200',
    'defaults',
    '  mode http',
    '  timeout connect 2s',
    '  timeout client 5s',
    '  timeout server 5s',
    'frontend web',
    `  bind 127.0.0.1:${frontPort}`,
    '  acl is_api path_beg /api',
    '  http-request deny if { path_beg /admin }',
    '  use_backend api if is_api',
    '  default_backend farm',
    'backend farm',
    '  balance roundrobin',
    ...ports.map((p, i) => `  server s${i + 1} 127.0.0.1:${p}`),
    'backend api',
    '  balance uri',
    ...ports.map((p, i) => `  server a${i + 1} 127.0.0.1:${p}`),
    ''
  ].join('\n')
}

export async function startPlane (): Promise<Plane> {
  const dir = mkdtempSync(join(tmpdir(), 'plb-ui-'))
  const backends = [await startBackend('s1'), await startBackend('s2')]
  const frontPort = await freePort()
  const configPath = join(dir, 'pocketlb.cfg')
  const config = planeConfig(frontPort, backends.map(b => b.port))
  writeFileSync(configPath, config)
  const first = loadConfigFiles([configPath])
  if (!first.ok) throw new Error(first.alerts.join('\n'))
  const engine = new Engine(true)
  await engine.apply(first.plan)
  return {
    dir, configPath, engine, frontPort, backends, config,
    async reload () {
      const r = loadConfigFiles([configPath])
      if (!r.ok) return { ok: false, error: r.alerts.join('\n') }
      try { await engine.apply(r.plan); return { ok: true } } catch (e) { return { ok: false, error: (e as Error).message } }
    },
    async close () {
      await engine.stop()
      for (const b of backends) await b.close()
      rmSync(dir, { recursive: true, force: true })
    }
  }
}

/** GET <path> through the proxy; resolves with the status and the x-server header. */
export function hit (port: number, path = '/'): Promise<{ status: number; server: string }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, agent: false }, res => {
      res.resume()
      res.on('end', () => resolve({ status: res.statusCode ?? 0, server: String(res.headers['x-server'] ?? '') }))
    })
    req.on('error', reject)
    req.setTimeout(3000, () => req.destroy(new Error('timeout')))
    req.end()
  })
}
