import { type Context, Hono } from 'hono'
import type { GatewayEnv } from '../ports/env'
import { ASSET_PATHS } from '../generated/asset-paths'
import type { InlinedAsset } from '../generated/assets'

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

/** Whether `If-None-Match` names this ETag (a list, `*`, or a weak `W/` form). */
const matches = (header: string | undefined, etag: string): boolean =>
  !!header && (header.trim() === '*' || header.split(',').some((tag) => tag.trim().replace(/^W\//, '') === etag))

/** An asset ready to send: binary and gzipped bodies decoded once. */
interface ServedAsset {
  asset: InlinedAsset
  html: boolean
  body: string | Uint8Array
  gzipped: Uint8Array | undefined
}

let served: Promise<Map<string, ServedAsset>> | undefined
/**
 * The app's bytes (half a megabyte of strings in the bundle), imported and decoded on the first
 * request for one of them: a gateway that serves only the API never parses them, and start-up
 * does not wait for them.
 */
const servedAssets = (): Promise<Map<string, ServedAsset>> =>
  (served ??= import('../generated/assets').then(({ ASSETS }) => {
    const out = new Map<string, ServedAsset>()
    for (const [path, asset] of Object.entries(ASSETS)) {
      const html = asset.type.startsWith('text/html')
      out.set(path, { asset, html, body: asset.base64 ? decode(asset.body) : asset.body, gzipped: asset.gzip && !html ? decode(asset.gzip) : undefined })
    }
    return out
  }))

/** The page (with its mount's `<base>`), or 304 to a revalidation that names its ETag. */
function servePage(c: Context, asset: InlinedAsset, assetPath: string): Response {
  const headers: Record<string, string> = { 'Content-Type': asset.type, 'Cache-Control': asset.cache }
  // The page names its mount path in <base>, so it is built per mount (and small: not gzipped).
  const page = pageUnder(asset, mountPathOf(c.req.path, assetPath))
  if (page.etag) headers.ETag = page.etag
  if (page.etag && matches(c.req.header('if-none-match'), page.etag)) return c.body(null, 304, headers)
  return c.body(page.body, 200, headers)
}

/** The web app's page for `<mount>/` (the edge answers it: the routes match `<mount>` only). */
export const mountRootPage = async (c: Context): Promise<Response> => servePage(c, (await servedAssets()).get('/')!.asset, '/')

/**
 * The web app, inlined into the build as strings (scripts/build-assets.mjs): nothing is read from
 * disk at run time. Text assets go out gzipped (compressed once, at build time) to clients that
 * accept it, and a revalidation with a current ETag gets 304. `/favicon.ico` is cached for a day;
 * the rest revalidates every load.
 */
export const staticRoutes = () => {
  const app = new Hono<GatewayEnv>()
  for (const path of ASSET_PATHS) {
    app.get(path, async (c) => {
      const { asset, html, body, gzipped } = (await servedAssets()).get(path)!
      if (html) return servePage(c, asset, path)
      const headers: Record<string, string> = { 'Content-Type': asset.type, 'Cache-Control': asset.cache }
      const gzip = gzipped !== undefined && /\bgzip\b/.test(c.req.header('accept-encoding') ?? '')
      // Each encoding is its own representation, with its own validator.
      const etag = asset.etag && gzip ? `${asset.etag.slice(0, -1)}-gz"` : asset.etag
      if (etag) headers.ETag = etag
      if (gzipped) headers.Vary = 'Accept-Encoding'
      if (etag && matches(c.req.header('if-none-match'), etag)) return c.body(null, 304, headers)
      if (gzip) return c.body(gzipped as Uint8Array<ArrayBuffer>, 200, { ...headers, 'Content-Encoding': 'gzip' })
      return c.body(body as string, 200, headers)
    })
  }
  return app
}
