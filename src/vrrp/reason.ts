/** Why a VRRP instance changed state: a short code for programs and a sentence
 *  for people (the UI's timeline, `show vrrp json`). Every reason is built
 *  here, so that the same cause always reads the same. */
import { SIMULATED_FAILURE_TRACK } from './types.ts'

export type VrrpReasonCode =
  | 'start' | 'owner' | 'master-down' | 'master-resigned' | 'preempted' | 'higher-priority'
  | 'track-failed' | 'track-recovered' | 'simulated-on' | 'simulated-off'
  | 'sync-group' | 'reload' | 'stop' | 'removed'

export interface VrrpReason { readonly code: VrrpReasonCode; readonly text: string }

const reason = (code: VrrpReasonCode, text: string): VrrpReason => ({ code, text })
const ms = (n: number): string => `${Math.round(n)} ms`

/** A track name as the engine keys it (`if:`, `script:`, `pocketlb:`, `sync:`) in words:
 *  what it says when it fails and when it recovers. */
function trackWords (track: string): readonly [failed: string, recovered: string] {
  const colon = track.indexOf(':')
  const name = track.slice(colon + 1)
  switch (track.slice(0, colon)) {
    case 'if': return [`tracked interface ${name} is down`, `tracked interface ${name} is up again`]
    case 'script': return [`tracked script ${name} failed`, `tracked script ${name} recovered`]
    case 'pocketlb': return [`tracked pocketlb condition ${name} failed`, `tracked pocketlb condition ${name} recovered`]
    case 'sync': return [`sync group ${name}: another member is in FAULT`, `sync group ${name}: no member in FAULT any more`]
    default: return [`tracked ${track} failed`, `tracked ${track} recovered`]
  }
}

export const reasons = {
  start: (): VrrpReason => reason('start', 'instance started: waiting for a master\'s advert'),
  owner: (): VrrpReason => reason('owner', 'address owner (priority 255): master at once'),
  masterDown: (interval: number): VrrpReason =>
    reason('master-down', `master down timer expired: no advert for ${ms(interval)} (3 × advert_int + skew)`),
  masterResigned: (from: string, skew: number): VrrpReason =>
    reason('master-resigned', `priority-0 advert from the master ${from || '(unknown)'}: it resigned; took over after the skew time (${ms(skew)})`),
  preempted: (from: string, theirs: number, ours: number): VrrpReason =>
    reason('preempted', `preempted a lower-priority master ${from} (prio ${theirs} < ours ${ours})`),
  higherPriority: (from: string, theirs: number, ours: number): VrrpReason =>
    reason('higher-priority', `higher-priority advert from ${from} (prio ${theirs} > ours ${ours})`),
  equalPriorityHigherAddress: (from: string, prio: number): VrrpReason =>
    reason('higher-priority', `advert from ${from} at our priority ${prio} and a higher address`),
  /** Track <track> (engine key) failed (ok false) or recovered. */
  track: (track: string, ok: boolean): VrrpReason => {
    if (track === `pocketlb:${SIMULATED_FAILURE_TRACK}`) {
      return ok ? reason('simulated-off', 'simulated failure switched off') : reason('simulated-on', 'simulated failure switched on (demo)')
    }
    const [failed, recovered] = trackWords(track)
    return ok ? reason('track-recovered', recovered) : reason('track-failed', failed)
  },
  syncGroup: (to: string): VrrpReason => reason('sync-group', `sync group: another member went ${to}, this one follows`),
  reloadCleared: (): VrrpReason => reason('reload', 'reload: the failed track no longer applies'),
  stop: (): VrrpReason => reason('stop', 'VRRP stopped (shutdown)'),
  removed: (): VrrpReason => reason('removed', 'reload removed the instance')
}
