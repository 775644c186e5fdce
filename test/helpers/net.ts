import { createServer, connect } from 'node:net'

/** A TCP port free on 127.0.0.1 right now (for configs that need a literal port). */
export async function freePort (): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer()
    s.once('error', reject)
    s.listen(0, '127.0.0.1', () => {
      const a = s.address()
      const port = typeof a === 'object' && a !== null ? a.port : 0
      s.close(() => resolve(port))
    })
  })
}

export async function freePorts (n: number): Promise<number[]> {
  const out: number[] = []
  while (out.length < n) {
    const p = await freePort()
    if (!out.includes(p)) out.push(p)
  }
  return out
}

/** <n> consecutive ports all free on 127.0.0.1 right now (a `source` port
 *  range), taken below the kernel's ephemeral range so that outgoing
 *  connections of a busy machine do not keep grabbing them. */
export async function freeRange (n: number): Promise<number> {
  for (let tries = 0; tries < 200; tries++) {
    const base = 20000 + Math.floor(Math.random() * 12000)
    const held: ReturnType<typeof createServer>[] = []
    let ok = true
    for (let p = base; p < base + n && ok; p++) {
      const s = createServer()
      ok = await new Promise<boolean>(resolve => { s.once('error', () => resolve(false)); s.listen(p, '127.0.0.1', () => resolve(true)) })
      if (ok) held.push(s)
    }
    await Promise.all(held.map(s => new Promise(resolve => s.close(resolve))))
    if (ok) return base
  }
  throw new Error(`no ${n} consecutive free ports`)
}

/** Sends <raw> on a fresh connection and collects everything until the peer
 *  closes or <waitMs> passes. Returns the text received (latin1). */
export function rawExchange (port: number, raw: string | Buffer, waitMs = 1500, host = '127.0.0.1'): Promise<string> {
  return new Promise(resolve => {
    const s = connect(port, host)
    let buf = ''
    const done = (): void => { clearTimeout(t); s.destroy(); resolve(buf) }
    const t = setTimeout(done, waitMs)
    s.on('data', d => { buf += d.toString('latin1') })
    s.on('close', done)
    s.on('error', () => {})
    s.write(raw)
  })
}

/** Waits until something accepts TCP connections on 127.0.0.1:<port>. */
export async function waitPort (port: number, timeoutMs = 5000): Promise<void> {
  const end = Date.now() + timeoutMs
  while (Date.now() < end) {
    const ok = await new Promise<boolean>(resolve => {
      const s = connect(port, '127.0.0.1')
      s.on('connect', () => { s.destroy(); resolve(true) })
      s.on('error', () => resolve(false))
    })
    if (ok) return
    await new Promise(r => setTimeout(r, 50))
  }
  throw new Error(`nothing listens on 127.0.0.1:${port} after ${timeoutMs}ms`)
}

export function statusOf (response: string): number {
  const m = /^HTTP\/1\.[01] (\d{3})/.exec(response)
  return m === null ? -1 : Number(m[1])
}
