/** vrrp_sync_group: the members of a group move together, as keepalived's do.
 *  - Fault: a member failing one of its own Fault tracks (weight 0) puts every
 *    member in Fault, through the track syncTrack(<group>) each member has;
 *  - Backup: a member leaving Master for Backup takes the other masters along
 *    (no priority 0: the peer's group follows its own member to Master);
 *  - Master: a Backup becomes master only once every other member wants to
 *    (its Master_Down timer expired too, or it is master already), so a group
 *    never splits between two routers; the others then follow at once. */
import type { VrrpInstance } from './instance.ts'
import type { VrrpSyncGroupPlan, VrrpTransition } from './types.ts'

const SYNC_TRACK_PREFIX = 'sync:'
/** Name of the track shared by the members of sync group <group> */
export const syncTrack = (group: string): string => SYNC_TRACK_PREFIX + group
export const isSyncTrack = (track: string): boolean => track.startsWith(SYNC_TRACK_PREFIX)

export class SyncGroup {
  /** removes this group's hooks from its members */
  private readonly unhook: (() => void)[] = []

  constructor (readonly plan: VrrpSyncGroupPlan, private readonly members: readonly VrrpInstance[],
    private readonly log: (msg: string) => void = () => {}) {
    for (const m of members) {
      const wantMaster = (): void => this.allMasterWhenAllWant()
      const follow = (tr: VrrpTransition): void => this.follow(m, tr)
      m.holdMaster = () => this.othersHoldBack(m)
      m.on('wantMaster', wantMaster)
      m.on('transition', follow)
      this.unhook.push(() => { m.holdMaster = null; m.off('wantMaster', wantMaster); m.off('transition', follow) })
    }
  }

  /** Lets go of the members (a reload builds the groups again). */
  dispose (): void { for (const u of this.unhook.splice(0)) u() }

  /** Re-evaluates the group's Fault after a member's tracks changed. */
  updateFault (): void {
    const faulty = this.members.some(i => i.status().failing.some(f => !isSyncTrack(f) && i.trackWeight(f) === 0))
    for (const m of this.members) m.setTrack(syncTrack(this.plan.name), !faulty)
  }

  private othersHoldBack (m: VrrpInstance): boolean {
    return this.members.some(o => o !== m && o.state !== 'MASTER' && !o.wantsMaster)
  }

  private allMasterWhenAllWant (): void {
    if (!this.members.every(o => o.state === 'MASTER' || o.wantsMaster)) return
    this.log(`VRRP_Group(${this.plan.name}) Syncing instances to MASTER state`)
    for (const o of this.members) if (o.state === 'BACKUP') o.follow('MASTER')
  }

  /** After <m>'s transition <tr>: to Master, the Backups follow; Master to Backup, the masters follow. */
  private follow (m: VrrpInstance, tr: VrrpTransition): void {
    const [from, to] = tr.to === 'MASTER' ? ['BACKUP', 'MASTER'] as const
      : tr.from === 'MASTER' && tr.to === 'BACKUP' ? ['MASTER', 'BACKUP'] as const : [null, null]
    if (to === null) return
    const followers = this.members.filter(o => o !== m && o.state === from)
    if (followers.length) this.log(`VRRP_Group(${this.plan.name}) Syncing instances to ${to} state`)
    for (const o of followers) if (o.state === from) o.follow(to)   // a follower's own transition may have moved the rest
  }
}
