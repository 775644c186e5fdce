/** `show l4 [json]`: the kernel (nftables) virtual services running beside
 *  the proxy, with their real servers' states and counters. The status is a
 *  snapshot refreshed by vrrp/appliance.ts (reading nft counters is a
 *  subprocess: never done while answering a command). */
import type { Engine } from '../proxy/engine.ts'
import { formatL4Status, type L4ServiceStatus } from '../l4/status.ts'
import type { CommandHandler } from './cli-context.ts'

type StatusSource = () => readonly L4ServiceStatus[]

const sources = new WeakMap<Engine, StatusSource>()

/** Makes `show l4` on <engine>'s stats sockets read <source>; returns the detach function. */
export function attachL4Status (engine: Engine, source: StatusSource): () => void {
  sources.set(engine, source)
  return () => { if (sources.get(engine) === source) sources.delete(engine) }
}

export const showL4: CommandHandler = (args, s) => {
  const json = args[2] === 'json'
  if (args[2] !== undefined && !json) return "'show l4' only supports the 'json' option.\n"
  const list = sources.get(s.engine)?.() ?? []
  return json ? JSON.stringify(list) + '\n' : formatL4Status(list)
}
