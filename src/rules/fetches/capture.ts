import type { StreamView } from '../../core/stream-view.ts'
import type { FetchDef } from '../sample.ts'
import { leadingInt } from '../sample.ts'
import type { CaptureHolder } from '../captures.ts'
import { USE_REQ, USE_RES } from './use.ts'

/** capture.req.hdr(<id>) / capture.res.hdr(<id>): the content of a capture
 *  slot (HAProxy http_fetch.c), empty slots give no sample. */
const slot = (response: boolean): FetchDef => ({
  args: [{ kind: 'int' }], out: 'str', use: response ? USE_RES : USE_REQ,
  compile: (args) => {
    const id = leadingInt(args[0])
    return (s: StreamView) => (s as Partial<CaptureHolder>).captured?.(response, id)
  }
})

export const CAPTURE_FETCHES: Readonly<Record<string, FetchDef>> = {
  'capture.req.hdr': slot(false),
  'capture.res.hdr': slot(true)
}
