import type { CliSession } from './cli-context.ts'
import { proxiesOf, proxyIid } from './proxies.ts'
import { H1_STATE_NAMES, dumpLines, type ErrorCapture } from './error-capture.ts'

/** `show errors [<px>] [request|response]`: the last invalid request of each
 *  frontend and the last invalid response of each backend, in HAProxy 2.6's
 *  format (proxy.c cli_io_handler_show_errors). HAProxy 2.6 has no command
 *  to clear them; a reload starts with none. */

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec']
const two = (n: number): string => String(n).padStart(2, '0')

/** HAProxy's capture date, local time: "21/Nov/2026:06:43:02.049". */
export function captureDate (d: Date): string {
  return `${two(d.getDate())}/${MONTHS[d.getMonth()]}/${d.getFullYear()}:${two(d.getHours())}:` +
    `${two(d.getMinutes())}:${two(d.getSeconds())}.${String(d.getMilliseconds()).padStart(3, '0')}`
}

const hex8 = (n: number): string => '0x' + n.toString(16).padStart(8, '0')

/** The head and the dump of one capture. <first>: "frontend fe (#2): invalid request\n  backend bk (#3)". */
function captureText (c: ErrorCapture, first: string, bufsize: number): string {
  const len = c.buf.length
  return ` \n[${captureDate(new Date(c.when))}] ${first}, server ${c.server?.name ?? '<NONE>'} (#${c.server?.id ?? -1}), ` +
    `event #${c.event}, src ${c.src}:${c.srcPort}\n` +
    `  buffer starts at 0 (including 0 out), ${bufsize - len} free,\n` +
    // WHY 48: HAProxy 2.6's H1 input buffer wraps 48 bytes before its end (measured, both directions)
    `  len ${len}, wraps at ${bufsize - 48}, error at position ${c.errorAt}\n` +
    // pocketlb's parser has no H1 mux flags: they are shown as 0, the state is HAProxy's name for where it stopped
    `  H1 connection flags ${hex8(0)}, H1 stream flags ${hex8(0)}\n` +
    `  H1 msg state ${H1_STATE_NAMES[c.state] ?? 'MSG_HDR_NAME'}(${c.state}), H1 msg flags ${hex8(0)}\n` +
    `  H1 chunk len 0 bytes, H1 body len ${c.bodyLen} bytes :\n  \n` + dumpLines(c.buf)
}

export function showErrors (args: readonly string[], s: CliSession): string {
  const gen = s.engine.current
  const otherEnd = (c: ErrorCapture): string => c.otherEnd === null ? '<NONE> (#-1)' : `${c.otherEnd.name} (#${proxyIid(gen.plan, c.otherEnd.id)})`
  const proxies = proxiesOf(gen)
  const px = args[2]
  let iid = -1
  if (px !== undefined && px !== '') {
    iid = proxies.find(p => p.name === px)?.iid ?? (Number.parseInt(px, 10) || 0)
    if (iid === 0) return 'No such proxy.\n'
  }
  const skipRequests = args[3] === 'response'
  const skipResponses = args[3] === 'request'
  const bufsize = gen.plan.global.tune.bufsize
  let out = `Total events captured on [${captureDate(new Date())}] : ${gen.process.errorEvents}\n`
  for (const p of proxies) {
    const req = skipRequests ? null : p.fe?.lastInvalidRequest ?? null
    if (req !== null && (iid < 0 || p.iid === iid)) {
      out += captureText(req, `frontend ${p.name} (#${p.iid}): invalid request\n  backend ${otherEnd(req)}`, bufsize)
    }
    const res = skipResponses ? null : p.be?.lastInvalidResponse ?? null
    if (res === null) continue
    const feIid = res.otherEnd === null ? -1 : proxyIid(gen.plan, res.otherEnd.id)
    if (iid >= 0 && p.iid !== iid && feIid !== iid) continue
    out += captureText(res, `backend ${p.name} (#${p.iid}): invalid response\n  frontend ${otherEnd(res)}`, bufsize)
  }
  return out
}
