import { Hono } from 'hono'
import type { GatewayEnv } from '../gateway/env'
import { ASSETS } from '../generated/assets'

const decode = (base64: string): Uint8Array => Uint8Array.from(atob(base64), (ch) => ch.charCodeAt(0))

/**
 * The web app, inlined into the build as strings (scripts/build-assets.mjs): nothing is read from
 * disk at run time. `/favicon.ico` is cached for a day; the rest revalidates every load.
 */
export const staticRoutes = () => {
  const app = new Hono<GatewayEnv>()
  for (const [path, asset] of Object.entries(ASSETS)) {
    const body = asset.base64 ? decode(asset.body) : asset.body
    app.get(path, (c) =>
      c.body(body as string, 200, { 'Content-Type': asset.type, 'Cache-Control': asset.cache, ...(asset.etag ? { ETag: asset.etag } : {}) }),
    )
  }
  return app
}
