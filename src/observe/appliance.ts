/** Observe mode beside the proxy, from the command line:
 *    pocketlb … --observe <pc-if>,<lan-if> [--observe-ports 80,8080] [--observe-tls-ports 443]
 *              [--observe-body 64k] [--observe-on]
 *  The two ports are bridged at start (bridge.ts) and stay bridged; interception
 *  starts off (or on with --observe-on) and is switched at run time through the
 *  control channel (the web UI's Observe page). docs/observe.md tells the whole story. */
import { bridgePorts } from './bridge.ts'
import { Observer } from './observer.ts'

export interface ObserveSpec {
  readonly pcPort: string
  readonly lanPort: string
  readonly httpPorts: readonly number[]
  readonly tlsPorts: readonly number[]
  readonly maxBody: number
  readonly startOn: boolean
}

/** Name of the bridge made when the ports are not in one already */
export const OBSERVE_BRIDGE = 'plb-observe'

function ports (flag: string, text: string | undefined): number[] | string {
  const list = (text ?? '').split(',').map(Number)
  return text !== undefined && list.every(p => Number.isInteger(p) && p > 0 && p < 65536) ? list : `${flag} expects ports like 80,8080`
}

/** "64k", "1m", "4096" → bytes */
function size (text: string | undefined): number | string {
  const m = /^(\d+)([km]?)$/i.exec(text ?? '')
  return m ? Number(m[1]) * ({ '': 1, k: 1024, m: 1024 * 1024 }[m[2]!.toLowerCase() as '' | 'k' | 'm']) : '--observe-body expects a size like 64k'
}

/** Removes the observe flags from <argv>; spec null without --observe; a string says what is wrong. */
export function takeObserveArgs (argv: readonly string[]): { argv: string[]; spec: ObserveSpec | null } | string {
  const rest: string[] = []
  let ifs: string | undefined
  let httpPorts: number[] | string = [80]
  let tlsPorts: number[] | string = [443]
  let maxBody: number | string = 64 * 1024
  let startOn = false
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!
    if (a === '--observe') ifs = argv[++i] ?? ''
    else if (a === '--observe-ports') httpPorts = ports(a, argv[++i])
    else if (a === '--observe-tls-ports') tlsPorts = ports(a, argv[++i])
    else if (a === '--observe-body') maxBody = size(argv[++i])
    else if (a === '--observe-on') startOn = true
    else rest.push(a)
  }
  for (const v of [httpPorts, tlsPorts, maxBody]) if (typeof v === 'string') return v
  if (ifs === undefined) return rest.length === argv.length ? { argv: rest, spec: null } : '--observe-* options need --observe <pc-if>,<lan-if>'
  const [pcPort, lanPort, extra] = ifs.split(',')
  if (!pcPort || !lanPort || extra !== undefined || pcPort === lanPort) return '--observe expects <pc-if>,<lan-if> (two different interfaces)'
  return { argv: rest, spec: { pcPort, lanPort, httpPorts: httpPorts as number[], tlsPorts: tlsPorts as number[], maxBody: maxBody as number, startOn } }
}

/** Bridges the ports, opens the interceptors, installs the rules (on when asked). */
export async function startObserve (spec: ObserveSpec): Promise<Observer> {
  const bridge = bridgePorts(spec.pcPort, spec.lanPort, OBSERVE_BRIDGE)
  const o = new Observer({ bridge, pcPort: spec.pcPort, httpPorts: spec.httpPorts, tlsPorts: spec.tlsPorts, maxBody: spec.maxBody })
  await o.start()
  if (spec.startOn) o.enable()
  return o
}
