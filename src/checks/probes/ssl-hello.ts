import type { Probe } from '../types.ts'
import { runProgram, type CheckProgram } from '../engine.ts'
import { patternExpect } from './pattern-expect.ts'

/** `option ssl-hello-chk`: an SSLv3 ClientHello (rfc2246 A.3/A.4 layout, 39
 *  common cipher suites, the time in its random) must be answered by a
 *  handshake or alert record (content type 0x16/0x15): L6OK, else L6RSP. */
const CIPHERS = [...Array.from({ length: 0x1b }, (_, i) => i + 1), ...Array.from({ length: 0x3a - 0x2f + 1 }, (_, i) => i + 0x2f)]

function clientHello (now: number): Buffer {
  const random = Buffer.alloc(32)
  random.writeUInt32BE(Math.floor(now / 1000) >>> 0)
  random.write('HAPROXYSSLCHK\nHAPROXYSSLCHK\n', 4, 'latin1')
  const ciphers = Buffer.alloc(2 + CIPHERS.length * 2)
  ciphers.writeUInt16BE(CIPHERS.length * 2)
  CIPHERS.forEach((c, i) => ciphers.writeUInt16BE(c, 2 + i * 2))
  // client version 3.0, random, empty session id, ciphers, one (null) compression
  const hello = Buffer.concat([Buffer.from([3, 0]), random, Buffer.from([0]), ciphers, Buffer.from([1, 0])])
  const handshake = Buffer.concat([Buffer.from([1, 0, hello.length >> 8, hello.length & 0xff]), hello])
  return Buffer.concat([Buffer.from([0x16, 3, 0, handshake.length >> 8, handshake.length & 0xff]), handshake])
}

const answer = patternExpect({ step: 2, pattern: /^1[56]/, binary: true, minRecv: 5, errorStatus: 'L6RSP', okStatus: 'L6OK', last: true })

export const sslHelloProbe: Probe = {
  run (target, _plan, signal) {
    const program: CheckProgram = { namesSteps: false, ops: [{ op: 'send', data: clientHello(Date.now()), step: 1 }, answer] }
    return runProgram(program, target, signal)
  }
}
