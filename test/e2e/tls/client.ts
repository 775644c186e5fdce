import { connect, type ConnectionOptions } from 'node:tls'

/** One HTTP/1.1 request over TLS with node:tls, reporting what the handshake
 *  gave (certificate CN served, ALPN) and the raw answer; a refused handshake
 *  is reported, not thrown. Bounded by <timeoutMs>. */
export interface TlsAnswer {
  ok: boolean
  error: string
  servedCn: string
  alpn: string
  status: number
  body: string
  head: string
}

export function tlsRequest (port: number, opts: Omit<ConnectionOptions, 'host' | 'port' | 'path'> & { urlPath?: string; hostHeader?: string; timeoutMs?: number; raw?: string }): Promise<TlsAnswer> {
  return new Promise(resolve => {
    const out: TlsAnswer = { ok: false, error: '', servedCn: '', alpn: '', status: 0, body: '', head: '' }
    const s = connect({ host: '127.0.0.1', port, rejectUnauthorized: false, ...opts })
    const chunks: Buffer[] = []
    const timer = setTimeout(() => { out.error ||= 'timeout'; s.destroy() }, opts.timeoutMs ?? 3000)
    s.on('secureConnect', () => {
      out.ok = true
      const cn = s.getPeerCertificate().subject?.CN
      out.servedCn = Array.isArray(cn) ? cn.join(',') : cn ?? ''
      out.alpn = typeof s.alpnProtocol === 'string' ? s.alpnProtocol : ''
      s.write(opts.raw ?? `GET ${opts.urlPath ?? '/'} HTTP/1.1\r\nHost: ${opts.hostHeader ?? opts.servername ?? 'localhost'}\r\nConnection: close\r\n\r\n`)
    })
    s.on('data', d => chunks.push(d))
    s.on('error', e => { out.error ||= e.message.split('\n')[0] ?? 'error' })
    s.on('close', () => {
      clearTimeout(timer)
      const text = Buffer.concat(chunks).toString('latin1')
      const cut = text.indexOf('\r\n\r\n')
      out.head = cut < 0 ? text : text.slice(0, cut)
      out.body = cut < 0 ? '' : text.slice(cut + 4)
      out.status = Number(/^HTTP\/1\.[01] (\d{3})/.exec(text)?.[1] ?? 0)
      // a handshake that completed but the server closed at once with an alert counts as refused
      if (out.status === 0 && out.error !== '') out.ok = false
      resolve(out)
    })
  })
}
