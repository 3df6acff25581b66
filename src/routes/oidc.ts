import { Hono, type Context } from 'hono'
import { deleteCookie, getCookie, setCookie } from 'hono/cookie'
import type { RouteDeps } from './deps'
import type { GatewayEnv } from '../ports/env'
import { routeDoc } from '../middleware/route-doc'
import { GatewayError, need, unavailable } from '../lib/errors'
import { requestIsSecure } from '../middleware/security-headers'
import { OidcLogin } from '../auth/oidc-login'
import { openSession } from './sessions'

/** Binds a started login to the browser that started it (login CSRF). */
const STATE_COOKIE = 'gateway_oidc_state'
const CALLBACK_PATH = '/api/auth/oidc/callback'

/**
 * `GET /api/auth/oidc/login` sends the browser to the operator's identity provider;
 * `GET /api/auth/oidc/callback` is where it comes back: the code is exchanged, the ID token
 * checked, the user found by (issuer, `sub`) or created, and a cookie session opened.
 */
export const oidcRoutes = (d: RouteDeps) => {
  const settings = d.config.signIn.oidc
  const login =
    settings.issuer && settings.clientId
      ? new OidcLogin({ issuer: settings.issuer, clientId: settings.clientId, clientSecret: settings.clientSecret, scopes: settings.scopes, roleClaim: settings.roleClaim, adminValues: settings.adminValues }, () => d.clock.now())
      : undefined
  const enabled = (): OidcLogin => {
    if (!login) throw unavailable('oidc', 'OIDC sign-in is not configured (GATEWAY_OIDC_ISSUER, GATEWAY_OIDC_CLIENT_ID)')
    return login
  }
  const base = (c: Context) => (d.config.signIn.publicUrl ?? new URL(c.req.url).origin + basePathOf(c)).replace(/\/+$/, '')
  const cookiePath = (c: Context) => `${basePathOf(c)}/api/auth/oidc`
  const secure = (c: Context) => requestIsSecure(c) || (d.config.signIn.publicUrl?.startsWith('https:') ?? false)

  return new Hono<GatewayEnv>()
    .get('/api/auth/oidc/login', routeDoc({ summary: 'Start OIDC sign-in: redirects to the identity provider (authorization code + PKCE)' }), async (c) => {
      const oidc = enabled()
      need(d.services.sessions, 'sessions')
      const redirectUri = settings.redirectUrl ?? base(c) + CALLBACK_PATH
      const { url, state } = await oidc.start(redirectUri)
      // Lax, not Strict: the provider's redirect back is a cross-site navigation.
      setCookie(c, STATE_COOKIE, state, { httpOnly: true, sameSite: 'Lax', secure: secure(c), path: cookiePath(c), maxAge: 600 })
      return c.redirect(url, 302)
    })
    .get(CALLBACK_PATH, routeDoc({ summary: 'Where the identity provider sends the browser back; opens a cookie session and redirects to the web app' }), async (c) => {
      try {
        const oidc = enabled()
        const query = new URL(c.req.url).searchParams
        const state = query.get('state') ?? ''
        const bound = getCookie(c, STATE_COOKIE)
        deleteCookie(c, STATE_COOKIE, { path: cookiePath(c), secure: secure(c), httpOnly: true, sameSite: 'Lax' })
        if (!state) throw new GatewayError(400, 'oidc_state_missing', 'The identity provider sent no state; start the sign-in again')
        if (bound !== state) throw new GatewayError(400, 'oidc_state_mismatch', 'This sign-in was not started in this browser; start the sign-in again')
        const identity = await oidc.finish(query, state)
        const { userId } = await need(d.services.identities, 'identities').signIn(
          identity.issuer,
          identity.subject,
          { displayName: identity.displayName, email: identity.email, role: identity.role },
          settings.defaultRole,
        )
        await openSession(d, c, userId, 'oidc', `${identity.issuer} ${identity.subject}`)
        return c.redirect(`${basePathOf(c)}/`, 303)
      } catch (error) {
        // A person in a browser sees the reason on the sign-in page; an API client gets the JSON error.
        if (!(error instanceof GatewayError) || !c.req.header('accept')?.includes('text/html')) throw error
        return c.redirect(`${basePathOf(c)}/?sign_in_error=${encodeURIComponent(error.message)}`, 303)
      }
    })
}

/** The gateway's mount as the request shows it (the path before `/api/auth/oidc/...`). */
const basePathOf = (c: Context): string => {
  const path = new URL(c.req.url).pathname
  const at = path.indexOf('/api/auth/oidc/')
  return at > 0 ? path.slice(0, at) : ''
}
