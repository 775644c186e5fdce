import type { Probe } from '../types.ts'
import { CheckSession } from './session.ts'

/** Plain `check`: a TCP connection is opened then closed (L4OK / L4CON / L4TOUT). */
export const tcpProbe: Probe = {
  async run (target, _plan, signal) {
    const s = new CheckSession(target, signal)
    const end = await s.connect()
    return end === 'ok' ? s.result('L4OK') : s.failure(end, '')
  }
}
