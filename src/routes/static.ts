import { Hono } from 'hono'
import type { GatewayEnv } from '../gateway/env'
import { ASSETS } from '../generated/assets'

const decode = (base64: string): Uint8Array => Uint8Array.from(atob(base64), (ch) => ch.charCodeAt(0))

/** Whether `If-None-Match` names this ETag (a list, `*`, or a weak `W/` form). */
const matches = (header: string | undefined, etag: string): boolean =>
  !!header && (header.trim() === '*' || header.split(',').some((tag) => tag.trim().replace(/^W\//, '') === etag))

/**
 * The web app, inlined into the build as strings (scripts/build-assets.mjs): nothing is read from
 * disk at run time. Text assets go out gzipped (compressed once, at build time) to clients that
 * accept it, and a revalidation with a current ETag gets 304. `/favicon.ico` is cached for a day;
 * the rest revalidates every load.
 */
export const staticRoutes = () => {
  const app = new Hono<GatewayEnv>()
  for (const [path, asset] of Object.entries(ASSETS)) {
    const body = asset.base64 ? decode(asset.body) : asset.body
    const gzipped = asset.gzip ? decode(asset.gzip) : undefined
    app.get(path, (c) => {
      const gzip = gzipped !== undefined && /\bgzip\b/.test(c.req.header('accept-encoding') ?? '')
      // Each encoding is its own representation, with its own validator.
      const etag = asset.etag && gzip ? `${asset.etag.slice(0, -1)}-gz"` : asset.etag
      const headers: Record<string, string> = { 'Content-Type': asset.type, 'Cache-Control': asset.cache }
      if (etag) headers.ETag = etag
      if (gzipped) headers.Vary = 'Accept-Encoding'
      if (etag && matches(c.req.header('if-none-match'), etag)) return c.body(null, 304, headers)
      if (gzip) return c.body(gzipped as Uint8Array<ArrayBuffer>, 200, { ...headers, 'Content-Encoding': 'gzip' })
      return c.body(body as string, 200, headers)
    })
  }
  return app
}
