import { startHaproxy, type RunningHaproxy } from '../../helpers/haproxy.ts'
import { startPocketlb } from '../../helpers/pocketlb.ts'
import { freePorts } from '../../helpers/net.ts'
import { startSyslog } from '../../helpers/syslog.ts'
import type { Engine } from '../../../src/proxy/engine.ts'

type Syslog = Awaited<ReturnType<typeof startSyslog>>

/** HAProxy 2.6 and pocketlb on the same configuration text, each with its
 *  own <portCount> listening ports and its own syslog receiver. */
export interface SideBySide {
  readonly hapPorts: number[]
  readonly plbPorts: number[]
  readonly hapLog: Syslog
  readonly plbLog: Syslog
  readonly hap: RunningHaproxy
  readonly plb: Engine
  /** stops both proxies and both receivers (what was started, by handle) */
  stop (): Promise<void>
}

/** <config> gets the ports of one side and its syslog port. HAProxy is
 *  waited for on its first port. */
export async function startSideBySide (portCount: number, config: (ports: number[], logPort: number) => string): Promise<SideBySide> {
  const ports = await freePorts(portCount * 2)
  const hapPorts = ports.slice(0, portCount)
  const plbPorts = ports.slice(portCount)
  const hapLog = await startSyslog()
  const plbLog = await startSyslog()
  let hap: RunningHaproxy | null = null
  try {
    hap = await startHaproxy(config(hapPorts, hapLog.port), hapPorts[0])
    const plb = await startPocketlb(config(plbPorts, plbLog.port))
    const running = hap
    return {
      hapPorts, plbPorts, hapLog, plbLog, hap: running, plb,
      stop: async () => { await running.stop(); await plb.stop(); await hapLog.close(); await plbLog.close() }
    }
  } catch (e) {
    await hap?.stop()
    await hapLog.close()
    await plbLog.close()
    throw e
  }
}

/** The messages of <log> (syslog header cut), without those <skip> matches. */
export function logMessages (log: Syslog, skip: RegExp | null = null): string[] {
  return log.lines.map(l => l.slice(l.indexOf(']: ') + 3)).filter(l => skip === null || !skip.test(l))
}
