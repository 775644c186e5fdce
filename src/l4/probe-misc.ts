/** keepalived's MISC_CHECK as a probe of the check engine: misc_path run by
 *  /bin/sh -c, killed after misc_timeout; exit status 0 = up, anything else down.
 *  With misc_dynamic, 2..255 are up too (L7OK carrying the status as its code:
 *  the weight is <status> − 2, see dynamicWeight()). */
import { spawn } from 'node:child_process'
import type { Probe, ProbeResult } from '../checks/types.ts'

/** The weight a misc_dynamic result sets, or null when it leaves the weight as it is. */
export const dynamicWeight = (r: ProbeResult): number | null => r.status === 'L7OK' && r.code >= 2 ? r.code - 2 : null

export function miscProbe (command: string, timeoutMs: number, dynamic: boolean): Probe {
  return {
    run (_target, _plan, signal) {
      const started = performance.now()
      return new Promise(resolve => {
        const child = spawn('/bin/sh', ['-c', command], { stdio: 'ignore', signal, timeout: timeoutMs, killSignal: 'SIGKILL' })
        const duration = (): number => Math.trunc(performance.now() - started)
        child.on('error', err => {
          if (signal.aborted) resolve({ status: 'UNK', code: 0, info: '', durationMs: duration() })
          else resolve({ status: 'SOCKERR', code: 0, info: err.message, durationMs: duration() })
        })
        child.on('exit', (code, sig) => {
          if (signal.aborted) { resolve({ status: 'UNK', code: 0, info: '', durationMs: duration() }); return }
          if (code !== null && (code === 0 || (dynamic && code >= 2))) resolve({ status: 'L7OK', code, info: code ? `exit status ${code}` : '', durationMs: duration() })
          else if (sig === 'SIGKILL') resolve({ status: 'L7TOUT', code: 0, info: `misc_path timed out after ${timeoutMs} ms`, durationMs: duration() })
          else resolve({ status: 'L7STS', code: code ?? 0, info: `exit status ${code ?? sig ?? ''}`, durationMs: duration() })
        })
      })
    }
  }
}
