import type { MiddlewareHandler } from 'hono'
import type { GatewayEnv } from '../ports/env'
import { GatewayError } from '../lib/errors'
import { type Authenticator, bearerToken } from './authenticator'
import type { Authenticated } from '../ports/principal'

const unauthorized = (): never => {
  throw new GatewayError(401, 'unauthorized', 'Invalid or missing auth token', { headers: { 'WWW-Authenticate': 'Bearer' } })
}

/**
 * Requires a valid token and sets `principal`. On the stream routes (`allowQueryToken`: SSE and
 * WebSocket, which browsers cannot give headers), a GET without an Authorization header may
 * instead present `?ticket=` (single use, bound to the route: see `StreamTickets`) or, for older
 * clients, `?token=`. A wrong header is never rescued by the query, nor a bad ticket by a token.
 */
export const requireAuth = (
  auth: Authenticator,
  options: { allowQueryToken?: boolean } = {},
): MiddlewareHandler<GatewayEnv> =>
  async function authenticate(c, next) {
    const header = c.req.header('authorization')
    let token = bearerToken(header)
    let found: Authenticated | null | Promise<Authenticated | null> = null
    if (header === undefined && options.allowQueryToken && c.req.method === 'GET') {
      const ticket = c.req.query('ticket')
      if (ticket !== undefined) found = auth.redeemTicket(ticket, c.req.path)
      else token = c.req.query('token')
    }
    if (!found && token !== undefined) found = auth.authenticateToken(token)
    // Awaited only when it is a promise: the owner's token and cached tokens cost no microtask.
    const { principal, credential } = (found instanceof Promise ? await found : found) ?? unauthorized()
    c.set('principal', principal)
    c.set('credential', credential)
    return next()
  }

/** Admin-only routes: members get 403 (they are authenticated, just not allowed). */
export const requireAdmin: MiddlewareHandler<GatewayEnv> = async function requireAdmin(c, next) {
  if (c.get('principal')?.role !== 'admin') throw new GatewayError(403, 'forbidden', 'Admin role required')
  await next()
}
