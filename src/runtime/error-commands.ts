import type { CliSession } from './cli-context.ts'
import { proxiesOf } from './proxies.ts'

/** `show errors [<px>] [request|response]`. Requests and responses that fail
 *  to parse are answered and counted (ereq/eresp) but not captured, so the
 *  answer is HAProxy's header with no event. */

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec']
const two = (n: number): string => String(n).padStart(2, '0')

/** HAProxy's capture date, local time: "21/Nov/2026:06:43:02.049". */
export function captureDate (d: Date): string {
  return `${two(d.getDate())}/${MONTHS[d.getMonth()]}/${d.getFullYear()}:${two(d.getHours())}:` +
    `${two(d.getMinutes())}:${two(d.getSeconds())}.${String(d.getMilliseconds()).padStart(3, '0')}`
}

export function showErrors (args: readonly string[], s: CliSession): string {
  const px = args[2]
  if (px !== undefined && px !== 'request' && px !== 'response' &&
    !proxiesOf(s.engine.current).some(p => p.name === px || String(p.iid) === px)) return 'No such proxy.\n'
  return `Total events captured on [${captureDate(new Date())}] : 0\n`
}
