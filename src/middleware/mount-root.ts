import type { MiddlewareHandler } from 'hono'

/**
 * Redirects `<mount>/` to `<mount>` (where the web app is served) when the gateway is mounted
 * under a prefix, as people type `/agent/` for an app at `/agent`. The mount path is this
 * middleware's own route pattern (`/agent/*`), so it works for `host.route('/agent', app)` and
 * `basePath` alike. Synchronous on every other request.
 */
export const mountRootRedirect = (): MiddlewareHandler =>
  function mountRootRedirect(c, next) {
    const path = c.req.path
    if (path.length > 1 && path.endsWith('/') && (c.req.method === 'GET' || c.req.method === 'HEAD')) {
      const mount = c.req.routePath.replace(/\/\*$/, '')
      if (mount && path === `${mount}/`) {
        return Promise.resolve(new Response(null, { status: 308, headers: { Location: mount + new URL(c.req.url).search } }))
      }
    }
    return next()
  }
