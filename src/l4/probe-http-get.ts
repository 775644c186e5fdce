/** keepalived's HTTP_GET / SSL_GET checker as a probe of the check engine: for
 *  each url in turn, `GET <path> HTTP/1.0`, the whole response read until the
 *  server closes, the status matched against status_code (default 2xx) and the
 *  body's MD5 against digest. The first url that fails decides. */
import { connect as tcpConnect, type Socket } from 'node:net'
import { connect as tlsConnect } from 'node:tls'
import { createHash } from 'node:crypto'
import type { Probe, ProbeResult, ProbeTarget } from '../checks/types.ts'
import type { L4UrlPlan } from './plan.ts'

/** A check reads at most this much of a body (keepalived reads pages whole; health pages are small). */
const MAX_RESPONSE = 1 << 20

type Fetched = { readonly ok: true; readonly head: string; readonly body: Buffer } | { readonly ok: false; readonly result: Omit<ProbeResult, 'durationMs'> }

function fetchOnce (target: ProbeTarget, path: string, tls: boolean, signal: AbortSignal): Promise<Fetched> {
  return new Promise(resolve => {
    const opts = { host: target.host, port: target.port }
    const sock: Socket = tls ? tlsConnect({ ...opts, rejectUnauthorized: false, servername: undefined }) : tcpConnect(opts)
    const chunks: Buffer[] = []
    let size = 0; let connected = false; let done = false
    const finish = (f: Fetched): void => {
      if (done) return
      done = true
      clearTimeout(timer)
      signal.removeEventListener('abort', onAbort)
      sock.destroy()
      resolve(f)
    }
    const onAbort = (): void => { finish({ ok: false, result: { status: 'UNK', code: 0, info: '' } }) }
    signal.addEventListener('abort', onAbort, { once: true })
    let timer = setTimeout(() => {
      finish({ ok: false, result: connected ? { status: 'L7TOUT', code: 0, info: '' } : { status: 'L4TOUT', code: 0, info: '' } })
    }, target.connectMs)
    sock.once(tls ? 'secureConnect' : 'connect', () => {
      connected = true
      if (target.exchangeMs !== null) timer.refresh()
      sock.write(`GET ${path} HTTP/1.0\r\nUser-Agent: KeepAliveClient\r\nHost: ${target.host}:${target.port}\r\nConnection: close\r\n\r\n`)
    })
    sock.on('data', (b: Buffer) => {
      if (size < MAX_RESPONSE) { chunks.push(b); size += b.length }
    })
    sock.on('error', (err: NodeJS.ErrnoException) => {
      finish({ ok: false, result: { status: connected ? 'SOCKERR' : 'L4CON', code: 0, info: err.code ?? err.message } })
    })
    sock.on('end', () => {
      const all = Buffer.concat(chunks)
      const sep = all.indexOf('\r\n\r\n')
      if (sep < 0) { finish({ ok: false, result: { status: 'L7RSP', code: 0, info: 'incomplete HTTP response' } }); return }
      finish({ ok: true, head: all.subarray(0, sep).toString('latin1'), body: all.subarray(sep + 4) })
    })
  })
}

function judge (url: L4UrlPlan, head: string, body: Buffer): Omit<ProbeResult, 'durationMs'> {
  const m = /^HTTP\/\d\.\d (\d{3})/.exec(head)
  if (!m) return { status: 'L7RSP', code: 0, info: 'not an HTTP response' }
  const code = Number(m[1])
  const ranges = url.statusCodes.length ? url.statusCodes : [[200, 299] as const]
  if (!ranges.some(([lo, hi]) => code >= lo && code <= hi)) return { status: 'L7STS', code, info: `status ${code} for ${url.path}` }
  if (url.digest !== null) {
    const got = createHash('md5').update(body).digest('hex')
    if (got !== url.digest) return { status: 'L7RSP', code, info: `MD5 digest error for ${url.path}: ${got}` }
  }
  return { status: 'L7OK', code, info: '' }
}

export function httpGetProbe (urls: readonly L4UrlPlan[], tls: boolean): Probe {
  return {
    async run (target, _plan, signal) {
      const started = performance.now()
      let last: Omit<ProbeResult, 'durationMs'> = { status: 'L7OK', code: 0, info: '' }
      for (const url of urls) {
        const f = await fetchOnce(target, url.path, tls, signal)
        last = f.ok ? judge(url, f.head, f.body) : f.result
        if (last.status !== 'L7OK') break
      }
      return { ...last, durationMs: Math.trunc(performance.now() - started) }
    }
  }
}
