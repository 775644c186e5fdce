// wrk as a bounded child pinned to the load core.
import { LOAD_CORE, startPinned } from './proc.mjs'

/** { rps, requests, errors } of `wrk -t1 -c<conns> -d<secs>s`; <close>: one connection per request. */
export async function wrk (port, { secs, conns = 50, close = false, path = '/' }) {
  const args = ['-t1', `-c${conns}`, `-d${secs}s`, `http://127.0.0.1:${port}${path}`]
  if (close) args.push('-H', 'Connection: close')
  const p = startPinned(LOAD_CORE, 'wrk', args, { stdio: ['ignore', 'pipe', 'ignore'] })
  let out = ''
  p.stdout.on('data', d => { out += d })
  await new Promise(r => p.on('exit', r))
  const num = re => { const m = re.exec(out); return m ? Number(m[1]) : 0 }
  const sock = /Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)/.exec(out)
  const errors = num(/Non-2xx or 3xx responses: (\d+)/) + (sock ? sock.slice(1).map(Number).reduce((a, b) => a + b, 0) : 0)
  return { rps: num(/Requests\/sec:\s+([\d.]+)/), requests: num(/(\d+) requests in/), errors }
}
