import type { MiddlewareHandler } from 'hono'
import type { GatewayEnv } from '../gateway/env'
import { GatewayError } from '../lib/errors'
import { type Authenticator, bearerToken } from './authenticator'

const unauthorized = () =>
  new GatewayError(401, 'unauthorized', 'Invalid or missing auth token', { headers: { 'WWW-Authenticate': 'Bearer' } })

/**
 * Requires a valid token and sets `principal`. `?token=` is honoured only when `allowQueryToken`
 * is set (the SSE and WebSocket routes, which browsers cannot give headers), only on GET, and
 * never when an Authorization header is present: a wrong header is not rescued by the query.
 */
export const requireAuth = (
  auth: Authenticator,
  options: { allowQueryToken?: boolean } = {},
): MiddlewareHandler<GatewayEnv> =>
  async function authenticate(c, next) {
    const header = c.req.header('authorization')
    let token = bearerToken(header)
    if (header === undefined && options.allowQueryToken && c.req.method === 'GET') token = c.req.query('token')
    const principal = token === undefined ? null : await auth.authenticate(token)
    if (!principal) throw unauthorized()
    c.set('principal', principal)
    await next()
  }

/** Admin-only routes: members get 403 (they are authenticated, just not allowed). */
export const requireAdmin: MiddlewareHandler<GatewayEnv> = async function requireAdmin(c, next) {
  if (c.get('principal')?.role !== 'admin') throw new GatewayError(403, 'forbidden', 'Admin role required')
  await next()
}
