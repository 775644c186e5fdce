#!/usr/bin/env node
// modules.mjs <modules-dir> <name>...: prints the paths (relative to <modules-dir>) of the
// named kernel modules and everything they depend on, dependencies first, from modules.dep.
// Names that are built into the kernel (modules.builtin) are skipped.
import { readFileSync } from 'node:fs'
import { join, basename } from 'node:path'

const [dir, ...wanted] = process.argv.slice(2)
const nameOf = path => basename(path).replace(/\.ko(\.xz|\.zst|\.gz)?$/, '').replaceAll('-', '_')
const deps = new Map()
for (const line of readFileSync(join(dir, 'modules.dep'), 'utf8').split('\n')) {
  const [mod, rest] = line.split(':')
  if (mod) deps.set(nameOf(mod), { path: mod, needs: rest.trim().split(/\s+/).filter(Boolean).map(nameOf) })
}
const builtin = new Set(readFileSync(join(dir, 'modules.builtin'), 'utf8').split('\n').filter(Boolean).map(nameOf))
const order = []
const seen = new Set()
function visit (name) {
  if (seen.has(name)) return
  seen.add(name)
  const entry = deps.get(name)
  if (entry === undefined) {
    if (!builtin.has(name)) throw new Error(`module ${name} is neither in modules.dep nor built in`)
    return
  }
  for (const d of entry.needs) visit(d)
  order.push(entry.path)
}
for (const name of wanted) visit(name.replaceAll('-', '_'))
process.stdout.write(order.join('\n') + (order.length ? '\n' : ''))
