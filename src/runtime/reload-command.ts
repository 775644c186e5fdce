import type { CliSession } from './cli-context.ts'

/** `reload`: the reload SIGHUP triggers, through the hook the CLI installs.
 *  HAProxy 2.6 has it on the master CLI only and answers nothing; the answer
 *  here follows later HAProxy versions' master CLI: "Success=1" or
 *  "Success=0", "--", then what the reload said (a refused one keeps the
 *  running configuration and lists its alerts). */
export async function reloadCommand (_args: readonly string[], s: CliSession): Promise<string> {
  if (s.reload == null) return 'Reload is not available: this process was not started from configuration files.\n'
  const r = await s.reload()
  if (r.ok) return 'Success=1\n--\nReloaded configuration.\n'
  return `Success=0\n--\n${r.error ?? ''}${r.error?.endsWith('\n') === false ? '\n' : ''}` +
    'Reload refused: the running configuration stays in service.\n'
}
