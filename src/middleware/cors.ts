import type { MiddlewareHandler } from 'hono'
import { cors as honoCors } from 'hono/cors'
import type { RuntimeCapabilities } from '../gateway/runtime'
import type { OriginPolicy } from './origin-policy'
import { editResponseHeaders } from './security-headers'

/**
 * CORS for allowed origins only; a foreign origin gets no `Access-Control-Allow-Origin`.
 * Not applied to the WebSocket route, whose Origin check refuses the upgrade instead.
 *
 * Preflights go to Hono's middleware. Other requests get their headers after the handler ran:
 * Hono's middleware sets them on `c.res` before, which makes Hono rebuild the handler's response
 * around a Web Streams body (the public routes lost half their throughput to it; bench: `http`).
 */
/** The CORS headers of a non-preflight response; `allowedOrigin` undefined for a foreign or absent Origin. */
export function applyCorsHeaders(headers: Headers, allowedOrigin: string | undefined): void {
  if (allowedOrigin) {
    headers.set('Access-Control-Allow-Origin', allowedOrigin)
    headers.set('Access-Control-Allow-Credentials', 'true')
  }
  headers.append('Vary', 'Origin')
}

const VARY_ORIGIN: Readonly<Record<string, string>> = { Vary: 'Origin' }
const allowedHeaders = (origin: string): Record<string, string> => ({
  'Access-Control-Allow-Origin': origin,
  'Access-Control-Allow-Credentials': 'true',
  Vary: 'Origin',
})

export const cors = (
  policy: OriginPolicy,
  options: { skip?: (path: string) => boolean; runtime?: Pick<RuntimeCapabilities, 'baseHeaders'> } = {},
): MiddlewareHandler => {
  const preflight = honoCors({
    origin: (origin, c) => (policy.allows(origin, c.req.url) ? origin : null),
    allowMethods: ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'],
    allowHeaders: ['Content-Type', 'Authorization', 'Last-Event-ID', 'X-Confirm-Action', 'X-Timezone'],
    credentials: true,
    maxAge: 600,
  })
  return async function corsPolicy(c, next) {
    if (options.skip?.(c.req.path)) return next()
    if (c.req.method === 'OPTIONS') return preflight(c, next)
    const origin = c.req.header('origin')
    const allowed = origin !== undefined && policy.allows(origin, c.req.url) ? origin : undefined
    // For responses that write their own headers before the handler returns (SSE on Node).
    if (allowed) c.set('allowedOrigin', allowed)
    if (options.runtime?.baseHeaders?.(c, allowed ? allowedHeaders(allowed) : VARY_ORIGIN)) return next()
    await next()
    if (c.get('responseSent')) return
    editResponseHeaders(c, (headers) => applyCorsHeaders(headers, allowed))
  }
}
