import type { MiddlewareHandler } from 'hono'
import { routePath } from 'hono/route'
import type { Tracing } from '../ports/tracing'

/**
 * One span per HTTP request, named `METHOD /route/:template` (the template, not the path: ids in
 * paths would make every span name unique), with the status code; 5xx marks it failed. Installed
 * only when tracing is on, so a gateway without it pays nothing per request. A streamed response's
 * span ends when its headers are sent: the stream itself is the turn's span.
 */
export const requestSpan = (tracing: Tracing): MiddlewareHandler => async (c, next) => {
  const method = c.req.method
  const span = tracing.startSpan(method, { 'http.request.method': method, 'url.path': new URL(c.req.url).pathname })
  try {
    await next()
  } finally {
    const route = routePath(c, -1)
    span.rename(`${method} ${route}`)
    span.setAttributes({ 'http.route': route, 'http.response.status_code': c.res.status })
    if (c.res.status >= 500) span.fail(`HTTP ${c.res.status}`)
    span.end()
  }
}
