import type { Context, MiddlewareHandler } from 'hono'
import type { GatewayEnv } from '../ports/env'
import { GatewayError } from '../lib/errors'
import { type Authenticator, bearerToken } from './authenticator'
import type { Authenticated } from '../ports/principal'
import type { WebSessions } from './web-sessions'

const unauthorized = (): never => {
  throw new GatewayError(401, 'unauthorized', 'Invalid or missing auth token', { headers: { 'WWW-Authenticate': 'Bearer' } })
}

/**
 * Requires a valid token and sets `principal`. On the stream routes (`allowQueryToken`: SSE and
 * WebSocket, which browsers cannot give headers), a GET without an Authorization header may
 * instead present `?ticket=` (single use, bound to the route: see `StreamTickets`) or, for older
 * clients, `?token=`. A wrong header is never rescued by the query, nor a bad ticket by a token.
 *
 * Without any of those, the web app's session cookie (`WebSessions`): then a state-changing
 * request must pass the CSRF check, and when a trusted proxy vouches for someone, the session
 * must be the one opened for that same person. A session's secret is never a bearer token.
 */
export const requireAuth = (
  auth: Authenticator,
  options: { allowQueryToken?: boolean } = {},
): MiddlewareHandler<GatewayEnv> =>
  async function authenticate(c, next) {
    const header = c.req.header('authorization')
    let token = bearerToken(header)
    let found: Authenticated | null | Promise<Authenticated | null> = null
    let ticket: string | undefined
    if (header === undefined && options.allowQueryToken && c.req.method === 'GET') {
      ticket = c.req.query('ticket')
      if (ticket !== undefined) found = auth.redeemTicket(ticket, c.req.path)
      else token = c.req.query('token')
    }
    const web = auth.web
    if (web && header === undefined && token === undefined && ticket === undefined) {
      const { principal, credential } = await sessionAuth(c, auth, web)
      c.set('principal', principal)
      c.set('credential', credential)
      return next()
    }
    // A request with the proxy's header from anyone but the proxy is refused, whatever else it carries.
    if (web?.trustedProxy.enabled) web.trustedProxy.identity(c)
    if (!found && token !== undefined) found = auth.authenticateToken(token)
    // Awaited only when it is a promise: the owner's token and cached tokens cost no microtask.
    const { principal, credential } = (found instanceof Promise ? await found : found) ?? unauthorized()
    if (principal.session && ticket === undefined) unauthorized()
    c.set('principal', principal)
    c.set('credential', credential)
    return next()
  }

async function sessionAuth(c: Context<GatewayEnv>, auth: Authenticator, web: WebSessions): Promise<Authenticated> {
  const vouched = web.trustedProxy.identity(c)
  const secret = web.secret(c) ?? unauthorized()
  const found = (await auth.authenticateToken(secret)) ?? unauthorized()
  const session = found.principal.session ?? unauthorized()
  if (vouched !== undefined && (session.method !== 'proxy' || session.subject !== vouched)) {
    throw new GatewayError(401, 'session_identity_changed', 'The proxy now signs in someone else than this session: sign in again (GET /api/auth/session)')
  }
  await web.checkCsrf(c, secret)
  return found
}

/** Admin-only routes: members get 403 (they are authenticated, just not allowed). */
export const requireAdmin: MiddlewareHandler<GatewayEnv> = async function requireAdmin(c, next) {
  if (c.get('principal')?.role !== 'admin') throw new GatewayError(403, 'forbidden', 'Admin role required')
  await next()
}
