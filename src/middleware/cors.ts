import type { MiddlewareHandler } from 'hono'
import { cors as honoCors } from 'hono/cors'
import type { OriginPolicy } from './origin-policy'

/**
 * CORS for allowed origins only; a foreign origin gets no `Access-Control-Allow-Origin`.
 * Not applied to the WebSocket route, whose Origin check refuses the upgrade instead.
 */
export const cors = (policy: OriginPolicy, options: { skip?: (path: string) => boolean } = {}): MiddlewareHandler => {
  const handler = honoCors({
    origin: (origin, c) => (policy.allows(origin, c.req.url) ? origin : null),
    allowMethods: ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'],
    allowHeaders: ['Content-Type', 'Authorization', 'Last-Event-ID', 'X-Confirm-Action', 'X-Timezone'],
    credentials: true,
    maxAge: 600,
  })
  return async function corsPolicy(c, next) {
    if (options.skip?.(c.req.path)) return next()
    return handler(c, next)
  }
}
