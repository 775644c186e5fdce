import type { Where } from '../core/where.ts'
import type { VirtualServerPlan } from '../l4/plan.ts'
import type { VrrpReason } from './reason.ts'

/** The compiled, frozen VRRP configuration (keepalived's `global_defs`,
 *  `vrrp_script`, `vrrp_instance`, `vrrp_sync_group`). Produced by
 *  config/keepalived/compile.ts; read by vrrp/. Durations are milliseconds. */
export interface VrrpPlan {
  readonly globals: VrrpGlobals
  readonly scripts: readonly VrrpScriptPlan[]
  readonly instances: readonly VrrpInstancePlan[]
  readonly syncGroups: readonly VrrpSyncGroupPlan[]
  /** Files read (main file and includes) */
  readonly files: readonly string[]
  /** `virtual_server` blocks for the kernel path (l4/); absent = none (added by l4) */
  readonly virtualServers?: readonly VirtualServerPlan[]
}

export interface VrrpGlobals {
  /** router_id; defaults to the host name */
  readonly routerId: string
  readonly garp: GarpPlan
  /** vrrp_version in global_defs (keepalived default 2) */
  readonly version: 2 | 3
  /** script_user, informational (scripts run as the engine's user) */
  readonly scriptUser: string | null
  /** vrrp_priority: nice value of the VRRP engine's process (-20..19). pocketlb's default
   *  is VRRP_DEFAULT_NICE, not keepalived's 0: the engine shares a small box with a busy proxy. */
  readonly niceness: number
}

/** keepalived's garp_master_* knobs (global, overridable per instance). */
export interface GarpPlan {
  /** garp_master_delay: second burst this long after becoming master (keepalived default 5 s; 0 = none) */
  readonly masterDelay: number
  /** garp_master_repeat: ARPs per burst (default 5) */
  readonly masterRepeat: number
  /** garp_master_refresh: periodic burst while master (default 0 = off) */
  readonly masterRefresh: number
  /** garp_master_refresh_repeat: ARPs per refresh burst (default 1) */
  readonly masterRefreshRepeat: number
}

export interface VrrpScriptPlan {
  readonly name: string
  /** Command line, run through /bin/sh -c */
  readonly script: string
  readonly interval: number
  readonly timeout: number
  /** Priority change: >0 added while OK, <0 added while failing, 0 = failure means Fault */
  readonly weight: number
  readonly rise: number
  readonly fall: number
  readonly where: Where
}

export interface VipPlan {
  readonly addr: string
  readonly prefixLen: number
  /** Device the address goes on (defaults to the instance's interface) */
  readonly dev: string
  /** `label`; null when none given */
  readonly label: string | null
  readonly where: Where
}

export interface TrackPlan {
  readonly name: string
  /** null when the track line gives no weight (scripts then use the script's weight) */
  readonly weight: number | null
}

export interface NotifyPlan {
  readonly master: string | null
  readonly backup: string | null
  readonly fault: string | null
  readonly stop: string | null
  /** `notify`: called for every transition with "INSTANCE" <name> <STATE> <prio> */
  readonly any: string | null
}

export interface VrrpInstancePlan {
  readonly name: string
  readonly initialState: 'MASTER' | 'BACKUP'
  readonly interface: string
  readonly vrid: number
  /** Configured (base) priority 1..255 */
  readonly priority: number
  /** advert_int in milliseconds (v3: multiple of 10 ms; v2: whole seconds) */
  readonly advertInt: number
  readonly version: 2 | 3
  readonly preempt: boolean
  readonly preemptDelay: number
  readonly vips: readonly VipPlan[]
  /** unicast_src_ip, or null (primary address of <interface>) */
  readonly unicastSrcIp: string | null
  /** unicast_peer addresses; empty means multicast 224.0.0.18 */
  readonly unicastPeers: readonly string[]
  readonly trackInterfaces: readonly TrackPlan[]
  readonly trackScripts: readonly TrackPlan[]
  /** Tracks fed by the embedding process through VrrpHandle.track() (pocketlb extension
   *  `track_pocketlb`): names are LISTENERS_TRACK or backendTrack(<backend>) */
  readonly trackPocketlb: readonly TrackPlan[]
  readonly notify: NotifyPlan
  readonly garp: GarpPlan
  readonly where: Where
}

/** `track_pocketlb { listeners }`: every listener of the proxy is bound. */
export const LISTENERS_TRACK = 'listeners'
const BACKEND_TRACK_PREFIX = 'backend/'
/** `track_pocketlb { backend <name> }`: backend <name> has a usable server.
 *  '/' cannot appear in an HAProxy proxy name, so the two kinds never clash. */
export const backendTrack = (backend: string): string => BACKEND_TRACK_PREFIX + backend
/** The backend name of a backendTrack() name, or null for other tracks. */
export const trackedBackend = (track: string): string | null =>
  track.startsWith(BACKEND_TRACK_PREFIX) ? track.slice(BACKEND_TRACK_PREFIX.length) : null

/** Track every instance has (weight 0), failed on demand by `set vrrp simulate-failure on`
 *  (the UI's demo switch): the instance goes to FAULT as for a failed keepalived track. */
export const SIMULATED_FAILURE_TRACK = 'simulated-failure'

export const VRRP_DEFAULT_NICE = -10

export interface VrrpSyncGroupPlan {
  readonly name: string
  readonly members: readonly string[]
  readonly notify: NotifyPlan
  readonly where: Where
}

export type VrrpStateName = 'INIT' | 'BACKUP' | 'MASTER' | 'FAULT'

/** Counters per instance, as `show vrrp` and the UI show them. */
export interface VrrpCounters {
  advertsSent: number
  advertsReceived: number
  becameMaster: number
  releasedMaster: number
  /** Every state change (Init/Backup/Master/Fault) */
  transitions: number
  priorityZeroSent: number
  priorityZeroReceived: number
  /** Dropped packets by reason (DropReason) */
  dropped: Record<string, number>
}

export interface VrrpStatus {
  readonly name: string
  readonly state: VrrpStateName
  readonly vrid: number
  readonly interface: string
  /** Virtual addresses as `addr/len` */
  readonly vips: readonly string[]
  readonly version: 2 | 3
  readonly basePriority: number
  readonly effectivePriority: number
  /** Address of the current master as last seen, "" when unknown */
  readonly masterIp: string
  readonly masterPriority: number
  /** Wall-clock ms of the last state change, 0 when none yet */
  readonly lastTransition: number
  readonly counters: VrrpCounters
  /** Tracks currently failing */
  readonly failing: readonly string[]
  /** The last RECENT_TRANSITIONS transitions, oldest first, each with its reason */
  readonly recentTransitions: readonly VrrpTransition[]
}

/** How many transitions VrrpStatus.recentTransitions keeps per instance */
export const RECENT_TRANSITIONS = 8

export interface VrrpTransition {
  readonly instance: string
  readonly from: VrrpStateName
  readonly to: VrrpStateName
  /** Wall-clock ms */
  readonly at: number
  readonly priority: number
  /** Why it happened (reason.ts) */
  readonly reason: VrrpReason
}
