import { spawnSync } from 'node:child_process'
import { dirname, basename } from 'node:path'

/** Runs the real `haproxy -c -f <file>` (2.6, installed) from the file's
 *  directory so that relative paths (maps, certificates) resolve the same way
 *  as for pocketlb. A check run exits by itself; bounded to 15 s. */
export function haproxyCheck (file: string): { ok: boolean; output: string } {
  const r = spawnSync('haproxy', ['-c', '-f', basename(file)], { cwd: dirname(file), encoding: 'utf8', timeout: 15000 })
  return { ok: r.status === 0, output: `${r.stdout ?? ''}${r.stderr ?? ''}` }
}
