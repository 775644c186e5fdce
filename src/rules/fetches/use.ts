import { Phase } from '../types.ts'

/** Where fetch families can work (HAProxy SMP_USE_* folded onto our Phase bits). */
export const USE_ANY = Phase.L4Conn | Phase.L4Content | Phase.HttpReq | Phase.HttpRes | Phase.Log | Phase.L4Response
/** Backend known: not in tcp-request connection */
export const USE_BACKEND = Phase.L4Content | Phase.HttpReq | Phase.HttpRes | Phase.Log | Phase.L4Response
/** The request head stays readable until the log line */
export const USE_REQ = Phase.L4Content | Phase.HttpReq | Phase.HttpRes | Phase.Log
export const USE_RES = Phase.HttpRes | Phase.Log
