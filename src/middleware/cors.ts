import type { Context, MiddlewareHandler } from 'hono'
import { cors as honoCors } from 'hono/cors'
import type { OriginPolicy } from './origin-policy'

/** The CORS headers of a non-preflight response; `allowedOrigin` undefined for a foreign or absent Origin. */
export function applyCorsHeaders(headers: Headers, allowedOrigin: string | undefined): void {
  if (allowedOrigin) {
    headers.set('Access-Control-Allow-Origin', allowedOrigin)
    headers.set('Access-Control-Allow-Credentials', 'true')
  }
  headers.append('Vary', 'Origin')
}

/** The same headers as a record, for a runtime that writes them under the handler's own. */
export const corsHeaders = (allowedOrigin: string): Record<string, string> => ({
  'Access-Control-Allow-Origin': allowedOrigin,
  'Access-Control-Allow-Credentials': 'true',
  Vary: 'Origin',
})

export interface CorsPolicy {
  /** Answers an OPTIONS preflight (Hono's middleware, our allowlist). */
  preflight: MiddlewareHandler
  /** The request's Origin when the policy allows it; undefined for a foreign or absent one. */
  allowedOrigin(c: Context): string | undefined
}

/**
 * CORS for allowed origins only; a foreign origin gets no `Access-Control-Allow-Origin`.
 * Preflights go to Hono's middleware. Other responses get their headers from the caller after
 * the handler ran: Hono's middleware sets them on `c.res` before, which makes Hono rebuild the
 * handler's response around a Web Streams body (the public routes lost half their throughput to
 * it; bench: `http`).
 */
export function corsPolicy(policy: OriginPolicy): CorsPolicy {
  const preflight = honoCors({
    origin: (origin, c) => (policy.allows(origin, c.req.url) ? origin : null),
    allowMethods: ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'],
    allowHeaders: ['Content-Type', 'Authorization', 'Last-Event-ID', 'X-Confirm-Action', 'X-Timezone'],
    credentials: true,
    maxAge: 600,
  })
  return {
    preflight,
    allowedOrigin(c) {
      const origin = c.req.header('origin')
      return origin !== undefined && policy.allows(origin, c.req.url) ? origin : undefined
    },
  }
}
