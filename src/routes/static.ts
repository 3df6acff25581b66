import { Hono } from 'hono'
import type { GatewayEnv } from '../gateway/env'
import { ASSETS, type InlinedAsset } from '../generated/assets'

const decode = (base64: string): Uint8Array => Uint8Array.from(atob(base64), (ch) => ch.charCodeAt(0))

const escapeAttribute = (value: string): string =>
  value.replace(/[&<>"']/g, (ch) => `&#${ch.charCodeAt(0)};`)

/** FNV-1a, to tell the ETags of the page under different mount paths apart. */
function fnv1a(text: string): string {
  let hash = 0x811c9dc5
  for (let i = 0; i < text.length; i++) hash = Math.imul(hash ^ text.charCodeAt(i), 0x01000193)
  return (hash >>> 0).toString(36)
}

/**
 * The page with `<base href="<mount path>/">`, so the app's relative URLs (`app.js`, `api/...`)
 * resolve under whatever prefix the gateway is mounted at: `/`, `/agent/`, a host app's route.
 */
function pageUnder(asset: InlinedAsset, mountPath: string): { body: string; etag: string | undefined } {
  const base = `${mountPath}/`
  const body = /<base\s/i.test(asset.body) ? asset.body : asset.body.replace(/<head>/i, `<head>\n    <base href="${escapeAttribute(base)}" />`)
  const etag = asset.etag && base !== '/' ? `${asset.etag.slice(0, -1)}-${fnv1a(base)}"` : asset.etag
  return { body, etag }
}

/** `/agent` for `/agent/app.html` served as `/app.html`; `` at the root. */
const mountPathOf = (requestPath: string, assetPath: string): string =>
  (assetPath === '/' ? requestPath : requestPath.slice(0, requestPath.length - assetPath.length)).replace(/\/+$/, '')

/**
 * The web app, inlined into the build as strings (scripts/build-assets.mjs): nothing is read from
 * disk at run time. `/favicon.ico` is cached for a day; the rest revalidates every load.
 */
export const staticRoutes = () => {
  const app = new Hono<GatewayEnv>()
  for (const [path, asset] of Object.entries(ASSETS)) {
    const body = asset.base64 ? decode(asset.body) : asset.body
    const html = asset.type.startsWith('text/html')
    app.get(path, (c) => {
      // The request path is the asset's own path under the mount path (`/agent` + `/`).
      const page = html ? pageUnder(asset, mountPathOf(c.req.path, path)) : { body, etag: asset.etag }
      return c.body(page.body as string, 200, { 'Content-Type': asset.type, 'Cache-Control': asset.cache, ...(page.etag ? { ETag: page.etag } : {}) })
    })
  }
  return app
}
