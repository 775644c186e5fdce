#!/usr/bin/env node
// Runs the type checker, then every test/**/*.test.ts through node:test (tsx loader).
// Usage: node scripts/test.mjs [path-prefix ...]   e.g. `npm test -- test/unit/balance`
import { readdirSync, statSync } from 'node:fs'
import { join } from 'node:path'
import { spawnSync } from 'node:child_process'

const root = new URL('..', import.meta.url).pathname
const prefixes = process.argv.slice(2)

function collect (dir, out) {
  for (const name of readdirSync(dir).sort()) {
    const p = join(dir, name)
    if (statSync(p).isDirectory()) collect(p, out)
    else if (name.endsWith('.test.ts')) out.push(p.slice(root.length))
  }
  return out
}

let files = collect(join(root, 'test'), [])
if (prefixes.length) files = files.filter(f => prefixes.some(p => f.startsWith(p.replace(/^\.\//, ''))))
if (files.length === 0) { console.error('no test files matched'); process.exit(1) }

if (!prefixes.length || process.env.TYPECHECK === '1') {
  const tc = spawnSync(process.execPath, [join(root, 'node_modules/typescript/bin/tsc'), '--noEmit', '-p', root], { stdio: 'inherit', cwd: root })
  if (tc.status !== 0) { console.error('typecheck failed'); process.exit(1) }
}

// A file whose test leaks a handle must not hang CI: each test is bounded and
// the process exits once its tests are done (--test-force-exit).
// Files run one at a time: e2e tests start real servers (HAProxy, keepalived) and
// measure timings; two cores are not enough to run them side by side reliably.
const r = spawnSync(process.execPath, ['--import', 'tsx', '--test', '--test-concurrency=1', '--test-timeout=180000', '--test-force-exit', '--test-reporter=spec', ...files],
  { stdio: 'inherit', cwd: root, env: { ...process.env, NODE_NO_WARNINGS: '1' } })
process.exit(r.status ?? 1)
