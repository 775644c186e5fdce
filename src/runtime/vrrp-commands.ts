/** `show vrrp [json]`: the VRRP instances running beside the proxy. The status
 *  comes from the engine's child process (refreshed on every transition and
 *  every second), attached to the Engine by vrrp/appliance.ts. */
import type { Engine } from '../proxy/engine.ts'
import type { VrrpStatus } from '../vrrp/types.ts'
import type { CommandHandler } from './cli-context.ts'

type StatusSource = () => readonly VrrpStatus[]
/** Turns the demo's simulated failure on or off (vrrp/appliance.ts) */
type FailureSwitch = (on: boolean) => void

const sources = new WeakMap<Engine, StatusSource>()
const switches = new WeakMap<Engine, FailureSwitch>()

/** Makes `show vrrp` on <engine>'s stats sockets read <source> and
 *  `set vrrp simulate-failure` call <simulate>; returns the detach function. */
export function attachVrrpStatus (engine: Engine, source: StatusSource, simulate?: FailureSwitch): () => void {
  sources.set(engine, source)
  if (simulate !== undefined) switches.set(engine, simulate)
  return () => {
    if (sources.get(engine) === source) sources.delete(engine)
    if (switches.get(engine) === simulate) switches.delete(engine)
  }
}

const TEXT_HEADER = '# name state vrid version interface base_prio eff_prio vips master_ip master_prio ' +
  'adverts_sent adverts_rcvd prio0_sent prio0_rcvd transitions last_transition dropped failing_tracks\n'

/** A space-free field: "-" for empty, lists joined by "," */
const field = (list: readonly string[]): string => list.length ? list.join(',') : '-'

function textLine (s: VrrpStatus): string {
  const c = s.counters
  const dropped = Object.entries(c.dropped).filter(([, n]) => n > 0).map(([why, n]) => `${why}=${n}`)
  const last = s.lastTransition ? new Date(s.lastTransition).toISOString() : '-'
  return [s.name, s.state, s.vrid, `v${s.version}`, s.interface, s.basePriority, s.effectivePriority, field(s.vips),
    s.masterIp || '-', s.masterPriority, c.advertsSent, c.advertsReceived, c.priorityZeroSent, c.priorityZeroReceived,
    c.transitions, last, field(dropped), field(s.failing)].join(' ') + '\n'
}

/** `show vrrp`: one line per instance after a `#` header, like `show servers state`;
 *  `show vrrp json`: the VrrpStatus list as JSON (what the UI reads). */
export const showVrrp: CommandHandler = (args, s) => {
  const source = sources.get(s.engine)
  const json = args[2] === 'json'
  if (args[2] !== undefined && !json) return "'show vrrp' only supports the 'json' option.\n"
  if (source === undefined) return json ? '[]\n' : 'VRRP is not running (start pocketlb with --vrrp <keepalived.conf>).\n'
  const list = source()
  if (json) return JSON.stringify(list) + '\n'
  return TEXT_HEADER + list.map(textLine).join('')
}

/** `set vrrp simulate-failure on|off` (pocketlb, for demos): every instance acts
 *  as if a tracked script of weight 0 failed — FAULT, a master resigning with
 *  priority 0 — as keepalived does; `off` clears it (a preempting instance
 *  takes mastership back). Empty answer on success, as HAProxy's `set` commands. */
export const setVrrpSimulateFailure: CommandHandler = (args, s) => {
  const word = args[3]
  if (word !== 'on' && word !== 'off') return "'set vrrp simulate-failure' expects 'on' or 'off'.\n"
  const simulate = switches.get(s.engine)
  if (simulate === undefined) return 'VRRP is not running (start pocketlb with --vrrp <keepalived.conf>).\n'
  simulate(word === 'on')
  return ''
}
