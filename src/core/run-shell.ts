/** Runs a configured command line the way keepalived runs its notify and quorum
 *  scripts: /bin/sh -c, output discarded, not awaited (a failure to start is ignored). */
import { spawn } from 'node:child_process'

export function runShell (commandLine: string): void {
  spawn('/bin/sh', ['-c', commandLine], { stdio: 'ignore' }).on('error', () => {})
}
