/** keepalived's quorum of a virtual server: the sum of the weights of its live real
 *  servers against `quorum`, with `hysteresis` as a flap dampener. While up, it is
 *  lost below quorum − hysteresis (or at a sum of 0); while down, it is gained at
 *  quorum + hysteresis or more. A lost quorum sends new flows to the sorry server
 *  (when there is one) instead of the remaining real servers. */
import type { L4QuorumPlan } from './plan.ts'

/** keepalived's defaults: the service is up while one unit of weight is live */
export const DEFAULT_QUORUM: L4QuorumPlan = { quorum: 1, hysteresis: 0, up: null, down: null }

export interface QuorumChange {
  readonly gained: boolean
  /** keepalived's log line */
  readonly line: string
}

export class ServiceQuorum {
  private state: boolean

  /** The state at start is the one of <liveWeight> against the bare quorum (no script runs). */
  constructor (public plan: L4QuorumPlan, liveWeight: number) {
    this.state = liveWeight >= plan.quorum
  }

  get up (): boolean { return this.state }

  /** Moves to <liveWeight>; the change when the state flips, else null. */
  update (liveWeight: number, vsTag: string): QuorumChange | null {
    const { quorum, hysteresis } = this.plan
    if (!this.state && liveWeight >= quorum + hysteresis) {
      this.state = true
      return { gained: true, line: `Gained quorum ${quorum}+${hysteresis}=${quorum + hysteresis} <= ${liveWeight} for VS ${vsTag}` }
    }
    if (this.state && (liveWeight === 0 || liveWeight < quorum - hysteresis)) {
      this.state = false
      return { gained: false, line: `Lost quorum ${quorum}-${hysteresis}=${quorum - hysteresis} > ${liveWeight} for VS ${vsTag}` }
    }
    return null
  }
}
