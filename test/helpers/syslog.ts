import { createSocket, type Socket } from 'node:dgram'

/** A UDP syslog receiver on 127.0.0.1 that keeps every datagram as text. */
export async function startSyslog (): Promise<{ port: number; lines: string[]; close (): Promise<void> }> {
  const sock: Socket = createSocket('udp4')
  const lines: string[] = []
  sock.on('message', m => lines.push(m.toString('latin1')))
  await new Promise<void>(r => sock.bind(0, '127.0.0.1', () => r()))
  return { port: sock.address().port, lines, close: () => new Promise<void>(r => sock.close(() => r())) }
}
