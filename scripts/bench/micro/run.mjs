#!/usr/bin/env node
// Micro-benchmarks of the hot functions (head parser, balancers, rules), each
// bounded (~0.3 s per line). Sources run through tsx.
//   node scripts/bench/micro/run.mjs [head-parser|balancers|rules]
import { spawnSync } from 'node:child_process'
const here = new URL('.', import.meta.url).pathname
const which = process.argv.slice(2)
for (const name of ['head-parser', 'balancers', 'rules']) {
  if (which.length > 0 && !which.includes(name)) continue
  console.log(`\n# ${name}`)
  const r = spawnSync(process.execPath, ['--import', 'tsx', `${here}${name}.ts`], { stdio: 'inherit', timeout: 30000 })
  if (r.status !== 0) process.exitCode = 1
}
