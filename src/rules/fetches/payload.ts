import type { StreamView } from '../../core/stream-view.ts'
import type { FetchDef } from '../sample.ts'
import { Phase } from '../types.ts'

/** Request contents fetches for tcp-request content rules (HAProxy
 *  payload.c): req.len, req.payload(<offset>,<length>). They read what the
 *  client sent so far, which streams expose as <reqData>. */
export interface PayloadHolder { readonly reqData: Buffer | null }

function dataOf (s: StreamView): Buffer | null {
  return (s as Partial<PayloadHolder>).reqData ?? null
}

const USE_CONTENT = Phase.L4Content

export const PAYLOAD_FETCHES: Readonly<Record<string, FetchDef>> = {
  'req.len': { args: [], out: 'int', use: USE_CONTENT, compile: () => s => dataOf(s)?.length ?? 0 },
  req_len: { args: [], out: 'int', use: USE_CONTENT, compile: () => s => dataOf(s)?.length ?? 0 },
  'req.payload': {
    args: [{ kind: 'int' }, { kind: 'int' }], out: 'bin', use: USE_CONTENT,
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
