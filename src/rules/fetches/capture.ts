import type { StreamView } from '../../core/stream-view.ts'
import type { FetchDef } from '../sample.ts'
import { leadingInt } from '../sample.ts'
import type { CaptureHolder } from '../captures.ts'
import { USE_REQ, USE_RES } from './use.ts'

/** capture.req.hdr(<id>) / capture.res.hdr(<id>): the content of a capture
 *  slot (HAProxy http_fetch.c), empty slots give no sample; capture.req.method,
 *  .uri, .ver and capture.res.ver: the request (status) line kept for the log. */
const slot = (response: boolean): FetchDef => ({
  args: [{ kind: 'int' }], out: 'str', use: response ? USE_RES : USE_REQ,
  compile: (args) => {
    const id = leadingInt(args[0])
    return (s: StreamView) => (s as Partial<CaptureHolder>).captured?.(response, id)
  }
})

const line = (use: number, read: (s: StreamView) => string | undefined): FetchDef => ({ args: [], out: 'str', use, compile: () => read })

export const CAPTURE_FETCHES: Readonly<Record<string, FetchDef>> = {
  'capture.req.hdr': slot(false),
  'capture.res.hdr': slot(true),
  'capture.req.method': line(USE_REQ, s => s.req?.method),
  'capture.req.uri': line(USE_REQ, s => s.req?.uri),
  'capture.req.ver': line(USE_REQ, s => s.req?.version),
  'capture.res.ver': line(USE_RES, s => s.res?.version)
}
