import type { Context } from 'hono'

/**
 * Whether the request is for `<mount>/` when the gateway is mounted under a prefix: people type
 * `/agent/` for an app at `/agent`, and that URL answers the page itself (its `<base>` makes both
 * spellings resolve the same assets). Hono's routes match `/agent` only, so the edge serves it.
 * The mount path is the calling middleware's own route pattern (`/agent/*`), so it works for
 * `host.route('/agent', app)` and `basePath` alike. One look at the path's end for every other request.
 */
export function isMountRoot(c: Context): boolean {
  const path = c.req.path
  if (path.length > 1 && path.endsWith('/') && (c.req.method === 'GET' || c.req.method === 'HEAD')) {
    const mount = c.req.routePath.replace(/\/\*$/, '')
    return !!mount && path === `${mount}/`
  }
  return false
}
