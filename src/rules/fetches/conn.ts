import type { FetchDef } from '../sample.ts'
import { USE_ANY, USE_BACKEND } from './use.ts'

/** Connection fetches (HAProxy tcp_sample.c / frontend.c / backend.c). */
export const CONN_FETCHES: Readonly<Record<string, FetchDef>> = {
  src: { args: [], out: 'ip', use: USE_ANY, compile: () => s => s.srcAddr },
  src_port: { args: [], out: 'int', use: USE_ANY, compile: () => s => s.srcPort },
  dst: { args: [], out: 'ip', use: USE_ANY, compile: () => s => s.dstAddr },
  dst_port: { args: [], out: 'int', use: USE_ANY, compile: () => s => s.dstPort },
  fe_name: { args: [], out: 'str', use: USE_ANY, compile: () => s => s.feName },
  be_name: { args: [], out: 'str', use: USE_BACKEND, compile: () => s => s.beName === '' ? undefined : s.beName }
}
