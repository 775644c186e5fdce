import type { CheckOutcome, CheckStatusCode } from './types.ts'

/** HAProxy 2.6 check_statuses[]: what each status does and its reason text. */
interface StatusInfo {
  readonly outcome: CheckOutcome
  readonly reason: string
  /** HAProxy shows ", code: <n>" only for statuses past L57DATA (layer-7 data) */
  readonly showsCode: boolean
}

export const CHECK_STATUSES: Readonly<Record<CheckStatusCode, StatusInfo>> = {
  UNK: { outcome: 'neutral', reason: 'Unknown', showsCode: false },
  INI: { outcome: 'neutral', reason: 'Initializing', showsCode: false },
  CHECKED: { outcome: 'neutral', reason: 'No status change', showsCode: false },
  SOCKERR: { outcome: 'failed', reason: 'Socket error', showsCode: false },
  L4OK: { outcome: 'passed', reason: 'Layer4 check passed', showsCode: false },
  L4TOUT: { outcome: 'failed', reason: 'Layer4 timeout', showsCode: false },
  L4CON: { outcome: 'failed', reason: 'Layer4 connection problem', showsCode: false },
  L6OK: { outcome: 'passed', reason: 'Layer6 check passed', showsCode: false },
  L6TOUT: { outcome: 'failed', reason: 'Layer6 timeout', showsCode: false },
  L6RSP: { outcome: 'failed', reason: 'Layer6 invalid response', showsCode: false },
  L7TOUT: { outcome: 'failed', reason: 'Layer7 timeout', showsCode: false },
  L7RSP: { outcome: 'failed', reason: 'Layer7 invalid response', showsCode: false },
  L7OK: { outcome: 'passed', reason: 'Layer7 check passed', showsCode: true },
  L7OKC: { outcome: 'condpass', reason: 'Layer7 check conditionally passed', showsCode: true },
  L7STS: { outcome: 'failed', reason: 'Layer7 wrong status', showsCode: true }
}
