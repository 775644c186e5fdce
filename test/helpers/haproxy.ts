import { spawn, type ChildProcess } from 'node:child_process'
import { mkdtempSync, writeFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { waitPort } from './net.ts'

export interface RunningHaproxy { proc: ChildProcess; stderr: () => string; stop (): Promise<void> }

/** Starts the real HAProxy 2.6 (Debian) in the foreground on <cfg>, waits for
 *  <port> to accept, and returns a handle that kills it by PID. */
export async function startHaproxy (cfg: string, port: number): Promise<RunningHaproxy> {
  const dir = mkdtempSync(join(tmpdir(), 'plb-hap-'))
  const file = join(dir, 'haproxy.cfg')
  writeFileSync(file, cfg)
  const proc = spawn('haproxy', ['-db', '-f', file], { stdio: ['ignore', 'ignore', 'pipe'] })
  let err = ''
  proc.stderr!.on('data', d => { err += d })
  try {
    await waitPort(port)
  } catch (e) {
    proc.kill('SIGKILL')
    throw new Error(`haproxy did not start: ${err}\n${(e as Error).message}`)
  }
  return {
    proc,
    stderr: () => err,
    stop: () => new Promise<void>(resolve => {
      if (proc.exitCode !== null) { rmSync(dir, { recursive: true, force: true }); resolve(); return }
      proc.once('exit', () => { rmSync(dir, { recursive: true, force: true }); resolve() })
      proc.kill('SIGKILL')
    })
  }
}
