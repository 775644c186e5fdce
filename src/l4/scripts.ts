/** Runs keepalived's notify_up/notify_down and quorum_up/quorum_down command lines,
 *  as the VRRP notify scripts are run: /bin/sh -c, output discarded, not awaited. */
import { spawn } from 'node:child_process'

export function runShell (commandLine: string): void {
  spawn('/bin/sh', ['-c', commandLine], { stdio: 'ignore' }).on('error', () => {})
}
