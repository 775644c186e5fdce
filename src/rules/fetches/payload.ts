import type { StreamView } from '../../core/stream-view.ts'
import type { FetchDef } from '../sample.ts'
import { Phase } from '../types.ts'

/** Contents fetches for tcp-request / tcp-response content rules (HAProxy
 *  payload.c): req.len, req.payload(<offset>,<length>), res.len,
 *  res.payload(…). They read what the client (the server) sent so far, which
 *  streams expose as <reqData> (<resData>). */
export interface PayloadHolder {
  readonly reqData: Buffer | null
  readonly resData: Buffer | null
}

const reqDataOf = (s: StreamView): Buffer | null => (s as Partial<PayloadHolder>).reqData ?? null
const resDataOf = (s: StreamView): Buffer | null => (s as Partial<PayloadHolder>).resData ?? null

function length (use: number, dataOf: (s: StreamView) => Buffer | null): FetchDef {
  return { args: [], out: 'int', use, compile: () => s => dataOf(s)?.length ?? 0 }
}

function payload (use: number, dataOf: (s: StreamView) => Buffer | null): FetchDef {
  return {
    args: [{ kind: 'int' }, { kind: 'int' }], out: 'bin', use,
    compile: (args) => {
      const off = Number(args[0])
      const len = Number(args[1])
      // a length of 0 means "up to the end of the data"
      return s => {
        const d = dataOf(s)
        if (d === null || d.length < off + len) return undefined
        return d.toString('latin1', off, len === 0 ? d.length : off + len)
      }
    }
  }
}

export const PAYLOAD_FETCHES: Readonly<Record<string, FetchDef>> = {
  'req.len': length(Phase.L4Content, reqDataOf),
  req_len: length(Phase.L4Content, reqDataOf),
  'req.payload': payload(Phase.L4Content, reqDataOf),
  'res.len': length(Phase.L4Response, resDataOf),
  'res.payload': payload(Phase.L4Response, resDataOf)
}
