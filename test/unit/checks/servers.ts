import { createServer, type Server, type Socket } from 'node:net'
import type { AddressInfo } from 'node:net'

/** A TCP server on 127.0.0.1:0 running <onConn> per connection; close() ends all. */
export async function tinyServer (onConn: (sock: Socket, request: () => Buffer) => void): Promise<{ port: number; close (): Promise<void>; requests: Buffer[] }> {
  const sockets = new Set<Socket>()
  const requests: Buffer[] = []
  const server: Server = createServer(sock => {
    sockets.add(sock)
    let got = Buffer.alloc(0)
    const index = requests.length
    requests.push(got)
    sock.on('data', d => { got = Buffer.concat([got, d]); requests[index] = got })
    sock.on('error', () => {})
    sock.on('close', () => sockets.delete(sock))
    onConn(sock, () => got)
  })
  await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve))
  return {
    port: (server.address() as AddressInfo).port,
    requests,
    close: () => new Promise<void>(resolve => { for (const s of sockets) s.destroy(); server.close(() => resolve()) })
  }
}

/** A port with nothing listening (bound then released). */
export async function deadPort (): Promise<number> {
  const s = createServer()
  await new Promise<void>(resolve => s.listen(0, '127.0.0.1', resolve))
  const port = (s.address() as AddressInfo).port
  await new Promise<void>(resolve => s.close(() => resolve()))
  return port
}

/** Answers each chunk received with <reply(text)> (undefined = stay silent). */
export function replying (reply: (text: string) => string | Buffer | undefined) {
  return (sock: Socket): void => {
    sock.on('data', d => { const r = reply(d.toString('latin1')); if (r !== undefined) sock.write(r) })
  }
}
