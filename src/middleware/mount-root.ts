import type { Context } from 'hono'

/**
 * A redirect from `<mount>/` to `<mount>` (where the web app is served) when the gateway is
 * mounted under a prefix, as people type `/agent/` for an app at `/agent`. The mount path is the
 * calling middleware's own route pattern (`/agent/*`), so it works for `host.route('/agent', app)`
 * and `basePath` alike. Undefined for every other request, after one look at the path's end.
 */
export function mountRootRedirect(c: Context): Response | undefined {
  const path = c.req.path
  if (path.length > 1 && path.endsWith('/') && (c.req.method === 'GET' || c.req.method === 'HEAD')) {
    const mount = c.req.routePath.replace(/\/\*$/, '')
    if (mount && path === `${mount}/`) {
      return new Response(null, { status: 308, headers: { Location: mount + new URL(c.req.url).search } })
    }
  }
  return undefined
}
