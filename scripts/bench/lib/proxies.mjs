// The proxies under test, each started pinned to the proxy core with the same
// config text (HAProxy's language), and the configs themselves.
import { spawnSync } from 'node:child_process'
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { PROXY_CORE, startPinned, waitPort, freePort } from './proc.mjs'

const root = new URL('../../..', import.meta.url).pathname
// PLB_BUNDLE: a bundle built elsewhere (to measure a change without replacing dist/)
let bundle = process.env.PLB_BUNDLE || join(root, 'dist/pocketlb.mjs')
/** The pocketlb bundle started from now on (and asked for its profile's flags). */
export function useBundle (path) { bundle = path }

/** maxconn under the 20000 descriptors a process may have here: 9000 websockets use 18000 */
const MAXCONN = 9500

export function config (mode, port, bports, { reuseAlways = false } = {}) {
  const servers = bports.map((p, i) => `  server s${i + 1} 127.0.0.1:${p}\n`).join('')
  return `global\n  maxconn ${MAXCONN}\ndefaults\n  mode ${mode}\n  timeout connect 5s\n  timeout client 30s\n  timeout server 30s\n  timeout tunnel 1h\n` +
    `frontend f\n  bind 127.0.0.1:${port}\n  default_backend b\nbackend b\n  balance roundrobin\n${reuseAlways ? '  http-reuse always\n' : ''}${servers}`
}

/** What bin/pocketlb gives the data plane for <profile>: { env, flags } */
export function profileStart (profile) {
  const r = spawnSync(process.execPath, [bundle, 'tune', '--exec-words', '--profile', profile, '-f', 'x'], { encoding: 'utf8' })
  const words = r.stdout.trim().split(/\s+/)
  const node = words.indexOf('node')
  return { env: Object.fromEntries(words.slice(0, node).map(w => [w.slice(0, w.indexOf('=')), w.slice(w.indexOf('=') + 1)])), flags: words.slice(node + 1) }
}

/** Starts one proxy; { proc, port, name }. <kind>: haproxy | haproxy-reuse | pocketlb |
 *  node-pipe (a bare Node socket pipe, the floor of Node's per-connection cost; L4 only) */
export async function startProxy (kind, mode, bports, dir, { profile = 'pocket', flagsProfile = profile, nodeFlags = null, bundlePath = null } = {}) {
  const port = await freePort()
  const file = join(dir, `${kind}-${mode}-${port}.cfg`)
  writeFileSync(file, config(mode, port, bports, { reuseAlways: kind === 'haproxy-reuse' }))
  let proc
  if (kind === 'pocketlb') {
    const { env, flags } = profileStart(flagsProfile)
    proc = startPinned(PROXY_CORE, process.execPath, [...(nodeFlags ?? flags), bundlePath ?? bundle, '--profile', profile, '-q', '-f', file], { env })
  } else if (kind === 'node-pipe') {
    proc = startPinned(PROXY_CORE, process.execPath, [join(root, 'scripts/bench/lib/node-pipe.mjs'), port, ...bports])
  } else proc = startPinned(PROXY_CORE, 'haproxy', ['-db', '-q', '-f', file])
  await waitPort(port)
  return { proc, port, kind }
}
