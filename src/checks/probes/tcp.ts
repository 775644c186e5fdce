import type { Probe } from '../types.ts'
import { CheckSession } from './session.ts'

/** Plain `check`: a TCP connection is opened then closed (L4OK / L4CON / L4TOUT);
 *  over TLS the handshake must pass too (L6OK / L6RSP / L6TOUT). */
export const tcpProbe: Probe = {
  async run (target, _plan, signal) {
    const s = new CheckSession(target, signal)
    const end = await s.connect()
    return end === 'ok' ? s.result(target.tls === undefined ? 'L4OK' : 'L6OK') : s.failure(end, '')
  }
}
