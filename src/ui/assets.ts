import { gzipSync } from 'node:zlib'
import { createHash } from 'node:crypto'

/** One browser file ready to serve: body, its gzip, type, ETag, cache policy. */
export interface Asset {
  readonly body: Buffer
  readonly gzip: Buffer
  readonly type: string
  readonly etag: string
  /** hashed names never change: cached a year; index.html is revalidated */
  readonly cacheControl: string
}

// Replaced by the bundle (scripts/build.mjs, scripts/bundle.mjs) with the built files.
declare const __PLB_UI_ASSETS__: Record<string, string> | undefined

const TYPES: Record<string, string> = { html: 'text/html; charset=utf-8', js: 'text/javascript; charset=utf-8', css: 'text/css; charset=utf-8' }

/** The UI's files: embedded in the bundle, or built from src/ui/app with esbuild when running from sources. */
export async function loadAssets (): Promise<Map<string, Asset>> {
  let files: Record<string, string>
  if (typeof __PLB_UI_ASSETS__ !== 'undefined') files = __PLB_UI_ASSETS__
  else {
    // WHY a computed specifier: the bundle must not pull esbuild in (this branch only runs from sources)
    const builder = new URL('../../scripts/ui-assets.mjs', import.meta.url).href
    const mod = await import(builder) as { buildUiAssets (): Promise<Record<string, string>> }
    files = await mod.buildUiAssets()
  }
  const out = new Map<string, Asset>()
  for (const [name, text] of Object.entries(files)) {
    const body = Buffer.from(text)
    out.set(name, {
      body,
      gzip: gzipSync(body, { level: 9 }),
      type: TYPES[name.slice(name.lastIndexOf('.') + 1)] ?? 'application/octet-stream',
      etag: `"${createHash('sha256').update(body).digest('base64url').slice(0, 16)}"`,
      cacheControl: name === 'index.html' ? 'no-cache' : 'public, max-age=31536000, immutable'
    })
  }
  return out
}
