import { loadConfigSources } from '../../src/config/load.ts'
import { Engine } from '../../src/proxy/engine.ts'

/** Runs pocketlb's engine in this process on <cfg> (same text HAProxy gets). */
export async function startPocketlb (cfg: string): Promise<Engine> {
  const r = loadConfigSources([{ path: 'test.cfg', text: cfg }])
  if (!r.ok) throw new Error('config rejected:\n' + r.alerts.join('\n'))
  const e = new Engine(true)
  await e.apply(r.plan)
  return e
}
