#!/usr/bin/env node
// `npm run bundle`: one minified ESM file for Node with the native addons staged beside
// it, plus a size report from esbuild's metafile (bytes each dependency costs).
// Fails (exit 1) when the JS is over the budget.
//   node scripts/bundle.mjs [--out <dir>] [--arch x64|arm64] [--sqlite-addon <file.node>]
// <out> defaults to dist/bundle; <arch> selects the raw-socket prebuilds to keep; a
// <sqlite-addon> (e.g. cross-compiled for arm64) replaces better-sqlite3's own build.
import { build } from 'esbuild'
import { buildUiAssets } from './ui-assets.mjs'
import { cpSync, mkdirSync, rmSync, writeFileSync, readdirSync, statSync, existsSync } from 'node:fs'
import { join, dirname } from 'node:path'
import { parseArgs } from 'node:util'

export const BUDGET_BYTES = 1024 * 1024
// Node ABIs kept for raw-socket: 115 = Node 20 (development, CI), 127 = Node 22 (the image).
const KEPT_ABIS = ['abi115', 'abi127']

const root = new URL('..', import.meta.url).pathname
const modules = join(root, 'node_modules')

/** Package that owns a metafile input path: "fastify", "@scope/name", or "pocketlb" for our sources. */
export function ownerOf (inputPath) {
  const at = inputPath.lastIndexOf('node_modules/')
  if (at < 0) return 'pocketlb'
  const parts = inputPath.slice(at + 'node_modules/'.length).split('/')
  return parts[0].startsWith('@') ? `${parts[0]}/${parts[1]}` : parts[0]
}

/** Bytes in the output per owning package, largest first. */
export function costByPackage (metafile, outfile) {
  const output = Object.entries(metafile.outputs).find(([name]) => name.endsWith(outfile))
  if (output === undefined) throw new Error(`metafile has no output ${outfile}`)
  const cost = new Map()
  for (const [path, { bytesInOutput }] of Object.entries(output[1].inputs)) {
    const owner = ownerOf(path)
    cost.set(owner, (cost.get(owner) ?? 0) + bytesInOutput)
  }
  return { total: output[1].bytes, rows: [...cost].sort((a, b) => b[1] - a[1]) }
}

function kib (n) { return (n / 1024).toFixed(1).padStart(8) + ' KiB' }

function dirBytes (p) {
  const s = statSync(p)
  if (!s.isDirectory()) return s.size
  return readdirSync(p).reduce((sum, n) => sum + dirBytes(join(p, n)), 0)
}

/** Copies what `require(<pkg>)` needs at run time into <dest>/node_modules. */
function stageAddons (dest, arch, sqliteAddon) {
  const nm = join(dest, 'node_modules')
  const copy = (rel, filter) => cpSync(join(modules, rel), join(nm, rel), { recursive: true, filter })
  // better-sqlite3 finds its addon through `bindings` (which needs file-uri-to-path)
  copy('better-sqlite3/package.json')
  copy('better-sqlite3/lib')
  const sqliteTarget = join(nm, 'better-sqlite3/build/Release/better_sqlite3.node')
  mkdirSync(dirname(sqliteTarget), { recursive: true })
  cpSync(sqliteAddon ?? join(modules, 'better-sqlite3/build/Release/better_sqlite3.node'), sqliteTarget)
  copy('bindings')
  copy('file-uri-to-path')
  // raw-socket loads a prebuild through node-gyp-build: keep glibc builds of our ABIs for <arch>
  const rs = '@neuralegion/raw-socket'
  copy(rs, src => {
    const rel = src.slice(join(modules, rs).length)
    if (rel.startsWith('/src') || rel.startsWith('/example') || rel.endsWith('.md')) return false
    if (!rel.startsWith('/prebuilds/')) return true
    const [, , platform, file] = rel.split('/')
    if (platform !== `linux-${arch}`) return false
    return file === undefined || (KEPT_ABIS.some(a => file.includes(`.${a}.`)) && !file.includes('musl'))
  })
  copy('node-gyp-build')
  return dirBytes(nm)
}

export async function bundle ({ out = join(root, 'dist/bundle'), arch = process.arch, sqliteAddon } = {}) {
  rmSync(out, { recursive: true, force: true })
  mkdirSync(out, { recursive: true })
  const outfile = join(out, 'pocketlb.mjs')
  const options = {
    bundle: true,
    platform: 'node',
    target: 'node20',
    format: 'esm',
    minify: true,
    legalComments: 'none',
    metafile: true,
    external: ['better-sqlite3', '@neuralegion/raw-socket'],
    // ESM bundles of CommonJS deps need require()
    banner: { js: "import{createRequire as __plbCreateRequire}from'node:module';const require=__plbCreateRequire(import.meta.url);" },
    logLevel: 'warning'
  }
  const result = await build({ ...options, entryPoints: [join(root, 'src/main.ts')], outfile })
  // the web UI worker is its own file beside (fastify stays out of the data plane's bundle), browser files embedded
  const uiWorker = join(out, 'ui-worker.mjs')
  await build({ ...options, metafile: false, entryPoints: [join(root, 'src/ui/worker-entry.ts')], outfile: uiWorker, define: { __PLB_UI_ASSETS__: JSON.stringify(await buildUiAssets()) } })
  writeFileSync(join(out, 'meta.json'), JSON.stringify(result.metafile))
  const { total, rows } = costByPackage(result.metafile, 'pocketlb.mjs')
  const addonBytes = stageAddons(out, arch, sqliteAddon)
  const lines = [
    `pocketlb bundle: ${outfile.slice(root.length)}  ${kib(total)} JS (budget ${kib(BUDGET_BYTES).trim()})`,
    'cost per dependency (bytes in the minified output):',
    ...rows.map(([name, bytes]) => `  ${kib(bytes)}  ${(100 * bytes / total).toFixed(1).padStart(5)}%  ${name}`),
    `web UI worker beside it (ui-worker.mjs, loaded with --ui): ${kib(statSync(uiWorker).size).trim()}`,
    `native addons beside it (node_modules/, linux-${arch}): ${kib(addonBytes).trim()}`
  ]
  writeFileSync(join(out, 'size-report.txt'), lines.join('\n') + '\n')
  return { outfile, total, rows, addonBytes, report: lines.join('\n'), overBudget: total > BUDGET_BYTES }
}

if (process.argv[1] === new URL(import.meta.url).pathname) {
  const { values } = parseArgs({ options: { out: { type: 'string' }, arch: { type: 'string' }, 'sqlite-addon': { type: 'string' } } })
  if (values['sqlite-addon'] !== undefined && !existsSync(values['sqlite-addon'])) {
    console.error(`bundle: no such addon ${values['sqlite-addon']}`)
    process.exit(1)
  }
  const r = await bundle({ out: values.out, arch: values.arch, sqliteAddon: values['sqlite-addon'] })
  console.log(r.report)
  if (r.overBudget) {
    console.error(`bundle: ${r.total} bytes of JS is over the ${BUDGET_BYTES} byte budget`)
    process.exit(1)
  }
}
