// Builds the web UI's browser files (src/ui/app) with esbuild: one minified
// script, one stylesheet and index.html naming them by content hash.
// Returns { name: text }. The bundle embeds the result (define
// __PLB_UI_ASSETS__); from sources the UI worker calls this at start.
import { build } from 'esbuild'
import { readFileSync } from 'node:fs'
import { createHash } from 'node:crypto'

const app = new URL('../src/ui/app/', import.meta.url).pathname

const hash = text => createHash('sha256').update(text).digest('hex').slice(0, 10)

export async function buildUiAssets () {
  const r = await build({
    entryPoints: [app + 'main.ts'],
    bundle: true,
    write: false,
    minify: true,
    format: 'iife',
    target: 'es2020',
    platform: 'browser',
    legalComments: 'none',
    logLevel: 'warning'
  })
  const js = r.outputFiles[0].text
  const css = readFileSync(app + 'style.css', 'utf8').replace(/\/\*[^]*?\*\//g, '').replace(/\s*\n\s*/g, '\n')
  const jsName = `app.${hash(js)}.js`
  const cssName = `app.${hash(css)}.css`
  const html = readFileSync(app + 'index.html', 'utf8').replace('%CSS%', cssName).replace('%JS%', jsName)
  return { 'index.html': html, [jsName]: js, [cssName]: css }
}
