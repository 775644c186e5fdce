#!/usr/bin/env node
// Bundles src/main.ts into dist/pocketlb.mjs with esbuild (one file for Node;
// native addons stay external and are loaded from node_modules or beside it).
import { build } from 'esbuild'
import { mkdirSync, writeFileSync } from 'node:fs'

const root = new URL('..', import.meta.url).pathname
const minify = process.argv.includes('--minify')
mkdirSync(root + 'dist', { recursive: true })
const result = await build({
  entryPoints: [root + 'src/main.ts'],
  outfile: root + 'dist/pocketlb.mjs',
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'esm',
  minify,
  sourcemap: !minify,
  metafile: true,
  external: ['better-sqlite3', '@neuralegion/raw-socket'],
  // ESM bundles of CommonJS deps need require()
  banner: { js: "import { createRequire as __plbCreateRequire } from 'node:module'; const require = __plbCreateRequire(import.meta.url);" },
  logLevel: 'warning'
})
writeFileSync(root + 'dist/meta.json', JSON.stringify(result.metafile))
