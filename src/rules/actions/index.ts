import type { ActionParser } from './parse.ts'
import { HEADER_ACTIONS } from './headers.ts'
import { REQUEST_LINE_ACTIONS, STATUS_ACTIONS } from './uri.ts'
import { FLOW_ACTIONS, SERVICE_ACTIONS } from './flow.ts'
import { VAR_ACTIONS } from './vars.ts'
import { TRACK_ACTIONS } from './track.ts'
import { AUTH_ACTIONS } from './auth.ts'
import { REQUEST_CAPTURE_ACTIONS, RESPONSE_CAPTURE_ACTIONS } from './capture.ts'
import { TIMEOUT_ACTIONS } from './timeout.ts'

/** Action keywords usable in `http-request` and in `http-response` rules. */
export const HTTP_REQUEST_ACTIONS: ReadonlyMap<string, ActionParser> = new Map(Object.entries({
  ...HEADER_ACTIONS, ...REQUEST_LINE_ACTIONS, ...FLOW_ACTIONS, ...SERVICE_ACTIONS, ...VAR_ACTIONS, ...TRACK_ACTIONS, ...AUTH_ACTIONS,
  ...REQUEST_CAPTURE_ACTIONS, ...TIMEOUT_ACTIONS
}))

export const HTTP_RESPONSE_ACTIONS: ReadonlyMap<string, ActionParser> = new Map(Object.entries({
  ...HEADER_ACTIONS, ...STATUS_ACTIONS, ...VAR_ACTIONS, ...TRACK_ACTIONS, ...RESPONSE_CAPTURE_ACTIONS,
  allow: FLOW_ACTIONS.allow, deny: FLOW_ACTIONS.deny, return: FLOW_ACTIONS.return, redirect: FLOW_ACTIONS.redirect
}))
