import type { CheckServerPlan } from '../config/plan.ts'
import type { CheckOutcome } from './types.ts'

/** HAProxy's health counter (check.c set_server_check_status, check_notify_*,
 *  server.c srv_getinter), as a pure reducer.
 *
 *  <health> lives in [0, rise+fall-1]. The server is UP while health >= rise.
 *  A failure decrements it, and any value below rise snaps to 0 (DOWN); a
 *  success increments it, and reaching rise snaps to rise+fall-1 (fully UP).
 *  A server starts UP with health = rise, so its first failure marks it DOWN;
 *  a `disabled` server starts in maintenance with health 0. */
export interface HealthState {
  readonly health: number
  /** the server's operational state as seen by checks (HAProxy next_state != STOPPED) */
  readonly up: boolean
}

export type HealthConfig = Pick<CheckServerPlan, 'rise' | 'fall' | 'inter' | 'fastinter' | 'downinter'>

export interface HealthStep {
  readonly state: HealthState
  /** true when the health counter moved (HAProxy "report" for log-health-checks) */
  readonly counted: boolean
  /** 'down' / 'up' when the server changes state, null otherwise */
  readonly transition: 'up' | 'down' | null
}

export function initialHealth (cfg: HealthConfig, disabled: boolean): HealthState {
  return disabled ? { health: 0, up: false } : { health: cfg.rise, up: true }
}

/** Health after leaving maintenance: "start OK but check immediately". */
export function resumedHealth (cfg: HealthConfig): HealthState {
  return { health: cfg.rise, up: true }
}

export function applyOutcome (st: HealthState, cfg: HealthConfig, outcome: CheckOutcome): HealthStep {
  const top = cfg.rise + cfg.fall - 1
  let health = st.health
  let counted = false
  if (outcome === 'failed' && health > 0) {
    counted = true
    health = health - 1 < cfg.rise ? 0 : health - 1
  } else if ((outcome === 'passed' || outcome === 'condpass') && health < top) {
    counted = true
    health = health + 1 >= cfg.rise ? top : health + 1
  }
  let up = st.up
  let transition: HealthStep['transition'] = null
  if (outcome === 'failed' && health === 0 && up) { up = false; transition = 'down' }
  else if (outcome !== 'failed' && outcome !== 'neutral' && health >= cfg.rise && !up) { up = true; transition = 'up' }
  const state = health === st.health && up === st.up ? st : { health, up }
  return { state, counted, transition }
}

/** Delay before the next check (srv_getinter): <inter> when fully up, <downinter>
 *  when fully down, <fastinter> while transitioning; unset (0) ones fall back to inter. */
export function checkInterval (st: HealthState, cfg: HealthConfig): number {
  if (st.health === cfg.rise + cfg.fall - 1) return cfg.inter
  if (!st.up && st.health === 0) return cfg.downinter || cfg.inter
  return cfg.fastinter || cfg.inter
}

/** Random deviation of +/- <spreadPercent>% of <interval> (global spread-checks);
 *  <rand> is a uniform [0,1) source, injected for tests. */
export function spreadJitter (interval: number, spreadPercent: number, rand: () => number): number {
  if (spreadPercent <= 0) return 0
  const range = Math.trunc(interval * spreadPercent / 100)
  return range - Math.trunc(2 * range * rand())
}

/** Delay of the very first check of the <position>-th of <count> checks
 *  (start_check_task): spread evenly over <minInter>, the smallest interval of at
 *  least 1s among all checks, but never less than this check's own interval. */
export function firstCheckDelay (ownInterval: number, minInter: number, position: number, count: number): number {
  const span = Math.max(minInter, ownInterval)
  return count > 0 ? Math.trunc(span * position / count) : 0
}

/** HAProxy's "<n>/<m> UP|DOWN" health display used in logs and stats. */
export function healthText (st: HealthState, cfg: HealthConfig): string {
  return st.health >= cfg.rise
    ? `${st.health - cfg.rise + 1}/${cfg.fall} UP`
    : `${st.health}/${cfg.rise} DOWN`
}
