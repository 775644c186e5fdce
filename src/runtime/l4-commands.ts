/** `show l4 [json]`: the kernel (nftables) virtual services running beside
 *  the proxy, with their real servers' states and counters. The status is a
 *  snapshot refreshed by vrrp/appliance.ts (reading nft counters is a
 *  subprocess: never done while answering a command).
 *
 *  `show l4 json` is one line, an array with one object per virtual_server
 *  (l4/status.ts L4ServiceStatus; the web UI reads it, keep it stable):
 *    { name: "10.0.0.1:80" | "group NAME", kind: "NAT" | "DR" (lb_kind), protocol: "tcp" | "udp",
 *      algo: "rr" | "wrr" | "sh" | "mh", addresses: [{ addr, port }],
 *      persistenceTimeout: ms (0 = none), sorryServer: <real server> | null,
 *      sorryActive: boolean, realServers: [<real server>] }
 *  <real server> = { addr, port, weight (configured), effectiveWeight (in the
 *      kernel now, 0 = no new flow), up, inhibited, flows (new flows sent to it),
 *      packets, bytes (nft counters: both directions with NAT, client to server only with DR),
 *      checks: [{ checker: "TCP_CHECK" | "HTTP_GET" | "SSL_GET" | "MISC_CHECK",
 *                 up, lastStatus (HAProxy's check status code), lastInfo }] }
 *  An empty array when no virtual_server runs. */
import type { Engine } from '../proxy/engine.ts'
import type { ProcessCounters } from '../proxy/frontend-runtime.ts'
import { formatL4Status, type L4ServiceStatus } from '../l4/status.ts'
import type { CommandHandler } from './cli-context.ts'

type StatusSource = () => readonly L4ServiceStatus[]

/** keyed by the engine's process counters, which its stats page also reaches */
const sources = new WeakMap<ProcessCounters, StatusSource>()

/** Makes `show l4` and the stats page of <engine> read <source>; returns the detach function. */
export function attachL4Status (engine: Engine, source: StatusSource): () => void {
  sources.set(engine.process, source)
  return () => { if (sources.get(engine.process) === source) sources.delete(engine.process) }
}

/** The last snapshot of the services attached to the engine of <process>; [] when none. */
export const l4StatusOf = (process: ProcessCounters): readonly L4ServiceStatus[] => sources.get(process)?.() ?? []

export const showL4: CommandHandler = (args, s) => {
  const json = args[2] === 'json'
  if (args[2] !== undefined && !json) return "'show l4' only supports the 'json' option.\n"
  const list = l4StatusOf(s.engine.process)
  return json ? JSON.stringify(list) + '\n' : formatL4Status(list)
}
