#!/usr/bin/env node
// Bundles src/main.ts into dist/pocketlb.mjs with esbuild (one file for Node;
// native addons stay external and are loaded from node_modules or beside it).
import { build } from 'esbuild'
import { buildUiAssets } from './ui-assets.mjs'
import { mkdirSync, writeFileSync } from 'node:fs'

const root = new URL('..', import.meta.url).pathname
const minify = process.argv.includes('--minify')
mkdirSync(root + 'dist', { recursive: true })
const options = {
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
}
const result = await build({ ...options, entryPoints: [root + 'src/main.ts'], outfile: root + 'dist/pocketlb.mjs' })
// the web UI worker (src/ui/start.ts loads it from beside the bundle), browser files embedded
await build({ ...options, metafile: false, entryPoints: [root + 'src/ui/worker-entry.ts'], outfile: root + 'dist/ui-worker.mjs', define: { __PLB_UI_ASSETS__: JSON.stringify(await buildUiAssets()) } })
writeFileSync(root + 'dist/meta.json', JSON.stringify(result.metafile))
