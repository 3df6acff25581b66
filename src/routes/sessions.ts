import { Hono, type Context } from 'hono'
import type { RouteDeps } from './deps'
import type { GatewayEnv } from '../ports/env'
import { routeDoc } from '../middleware/route-doc'
import { badRequest, GatewayError, need, notFound } from '../lib/errors'
import { params } from '../middleware/validate'
import { CurrentSession, SessionIdParam, SessionList, SessionRevoked, SignInMethods, type SessionInfo, type SessionMethod } from '../protocol/sessions'
import type { Principal } from '../ports/principal'
import type { WebSessions } from '../auth/web-sessions'

const noSession = (): never => {
  throw new GatewayError(401, 'no_session', 'Not signed in: sign in with a token, your identity provider or through your proxy')
}

/** Opens a cookie session for `userId` and answers it (the secret goes only into the cookie). */
export async function openSession(
  d: RouteDeps,
  c: Context<GatewayEnv>,
  userId: string,
  method: SessionMethod,
  subject: string | null,
): Promise<{ session: SessionInfo; csrfToken: string }> {
  const web = need(d.auth.web, 'sessions')
  const { secret, info } = await need(d.services.sessions, 'sessions').create(userId, { method, subject, userAgent: c.req.header('user-agent') ?? null })
  web.set(c, secret)
  return { session: info, csrfToken: await web.csrfToken(secret) }
}

async function describe(d: RouteDeps, principal: Pick<Principal, 'userId' | 'role' | 'displayName'>, session: SessionInfo, csrfToken: string): Promise<CurrentSession> {
  const user = await d.services.users?.get(principal.userId).catch(() => undefined)
  return { user_id: principal.userId, role: user?.role ?? principal.role, display_name: user?.display_name ?? principal.displayName, session, csrf_token: csrfToken }
}

/** The live session the request's cookie names, if any (the trusted proxy must agree on who). */
async function cookieSession(d: RouteDeps, c: Context<GatewayEnv>, web: WebSessions, vouched: string | undefined) {
  const secret = web.secret(c)
  if (!secret) return undefined
  const found = await d.auth.authenticateToken(secret)
  const session = found?.principal.session
  if (!found || !session) return undefined
  if (vouched !== undefined && (session.method !== 'proxy' || session.subject !== vouched)) {
    // The proxy signs in someone else now: the old session ends rather than lingering.
    await d.services.sessions?.revoke(found.principal.userId, found.principal.tokenId!)
    return undefined
  }
  return { principal: found.principal, secret }
}

/**
 * Public sign-in routes with their own auth: which methods this gateway offers, and
 * `GET /api/auth/session`, the web app's first call: the cookie's session, or, behind a trusted
 * proxy, a session opened for the user its header names (created on first sight).
 */
export const sessionPublicRoutes = (d: RouteDeps) =>
  new Hono<GatewayEnv>()
    .get('/api/auth/methods', routeDoc({ summary: 'How a person can sign in to the web app here', response: SignInMethods }), (c) => {
      const oidc = d.config.signIn.oidc
      return c.json({
        token: true,
        sessions: d.auth.web !== undefined && d.services.sessions !== undefined,
        trusted_proxy: d.auth.web?.trustedProxy.enabled ?? false,
        oidc: { enabled: oidc.issuer !== undefined && d.services.identities !== undefined, name: oidc.displayName, login_path: '/api/auth/oidc/login' },
      } satisfies SignInMethods)
    })
    .get(
      '/api/auth/session',
      routeDoc({ summary: 'The web app session of the cookie (or, behind a trusted proxy, one opened for the user it names) and its CSRF token', response: CurrentSession }),
      async (c) => {
        const web = need(d.auth.web, 'sessions')
        const sessions = need(d.services.sessions, 'sessions')
        const vouched = web.trustedProxy.identity(c)
        const current = await cookieSession(d, c, web, vouched)
        if (current) {
          const info = (await sessions.get(current.principal.userId, current.principal.tokenId!)) ?? noSession()
          return c.json(await describe(d, current.principal, info, await web.csrfToken(current.secret)))
        }
        if (vouched === undefined) {
          if (web.secret(c)) web.clear(c)
          return noSession()
        }
        const identities = need(d.services.identities, 'identities')
        const { userId } = await identities.signIn('proxy', vouched, { displayName: vouched }, d.config.signIn.trustedProxy.defaultRole)
        const { session, csrfToken } = await openSession(d, c, userId, 'proxy', vouched)
        const user = await need(d.services.users, 'users').get(userId)
        return c.json(await describe(d, { userId, role: user?.role ?? 'member', displayName: user?.display_name ?? null }, session, csrfToken))
      },
    )

/**
 * Signed-in session routes: "paste once" (a bearer token opens a cookie session), sign out, and
 * the list of the caller's browser sessions with revoke (the tokens page).
 */
export const sessionRoutes = (d: RouteDeps) => {
  const sessions = () => need(d.services.sessions, 'sessions')
  return new Hono<GatewayEnv>()
    .post(
      '/api/auth/session',
      routeDoc({ summary: 'Open a web app cookie session for the bearer token\'s user (paste the token once)', response: CurrentSession, status: 201 }),
      async (c) => {
        const principal = c.get('principal')
        if (principal.session) throw badRequest('bearer_required', 'Open a session with a bearer token; this request already came with one')
        if (principal.impersonation) throw new GatewayError(403, 'impersonation_session_forbidden', 'An impersonation token cannot open a browser session; use it as a bearer token')
        sessions()
        const { session, csrfToken } = await openSession(d, c, principal.userId, 'token', null)
        return c.json(await describe(d, principal, session, csrfToken), 201)
      },
    )
    .delete('/api/auth/session', routeDoc({ summary: 'Sign out: end this cookie session at once', response: SessionRevoked }), async (c) => {
      const principal = c.get('principal')
      if (!principal.session) throw badRequest('no_session', 'This request did not come with a session cookie; revoke tokens with DELETE /api/tokens/{id}')
      await sessions().revoke(principal.userId, principal.tokenId!)
      d.auth.web?.clear(c)
      return c.json({ id: principal.tokenId!, status: 'revoked' as const })
    })
    .get('/api/auth/sessions', routeDoc({ summary: 'Your live web app sessions (never their secrets)', response: SessionList }), async (c) => {
      const principal = c.get('principal')
      return c.json({ sessions: await sessions().list(principal.userId, principal.session ? principal.tokenId : null) })
    })
    .delete(
      '/api/auth/sessions/:id',
      routeDoc({ summary: 'End one of your web app sessions: refused from the next request, its streams closed', response: SessionRevoked }),
      params(SessionIdParam),
      async (c) => {
        const { id } = c.req.valid('param')
        const principal = c.get('principal')
        if (!(await sessions().revoke(principal.userId, id))) throw notFound('session')
        if (principal.session && principal.tokenId === id) d.auth.web?.clear(c)
        return c.json({ id, status: 'revoked' as const })
      },
    )
}
