import type { CheckStatusCode, CheckView, ProbeResult } from '../checks/types.ts'
import { CHECK_STATUSES } from '../checks/status.ts'

/** The health-check columns of a server's stats row, filled as HAProxy 2.6
 *  does (stats.c, server fields): counters whenever checks are enabled; the
 *  last result and rise/fall/health only while checks run (not in
 *  maintenance); agent columns with agent-check. */

export type SetColumn = (name: string, value: string | number) => void

/** Statuses that carry a result (HAProxy: status >= HCHK_STATUS_CHECKED). */
const hasResult = (st: CheckStatusCode): boolean => st !== 'UNK' && st !== 'INI'

/** "L7OK", or "* L7OK" while a probe is running. */
const statusText = (st: CheckStatusCode, running: boolean): string => (running ? '* ' : '') + st

/** WHY the code is 0 while a probe runs: HAProxy clears it at each step of a
 *  running check (tcpcheck_main), the status stays the last one's. */
function resultColumns (set: SetColumn, prefix: 'check' | 'agent', last: ProbeResult, running: boolean): void {
  set(`${prefix}_status`, statusText(last.status, running))
  if (CHECK_STATUSES[last.status].showsCode) set(`${prefix}_code`, running ? 0 : last.code)
  if (hasResult(last.status)) set(`${prefix}_duration`, Math.max(0, Math.trunc(last.durationMs)))
  set(`${prefix}_desc`, CHECK_STATUSES[last.status].reason)
  set(prefix === 'check' ? 'last_chk' : 'last_agt', last.info)
}

/** Writes the check columns of <view> with <set>; <downs> counts the server's
 *  UP to DOWN changes whatever their cause (HAProxy down_trans: checks,
 *  maintenance, forced health), <downtimeSec> is its downtime. Health check
 *  and agent columns are each filled only while that check is enabled. */
export function checkColumns (set: SetColumn, view: CheckView, downs: number, downtimeSec: number): void {
  if (view.enabled) {
    set('chkfail', view.failedChecks)
    set('chkdown', downs)
    set('downtime', downtimeSec)
  }
  if (view.paused) return
  if (view.enabled) {
    resultColumns(set, 'check', {
      status: view.lastStatus, code: view.lastCode, info: view.lastInfo, durationMs: view.lastDurationMs
    }, view.inProgress)
    set('check_rise', view.rise)
    set('check_fall', view.fall)
    set('check_health', view.health)
  }
  const agent = view.agent
  if (agent === null || !agent.enabled) return
  resultColumns(set, 'agent', agent.last, agent.inProgress)
  set('agent_rise', 1)
  set('agent_fall', 1)
  set('agent_health', agent.up ? 1 : 0)
}
