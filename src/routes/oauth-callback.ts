import { Hono } from 'hono'
import { deleteCookie, getCookie } from 'hono/cookie'
import type { RouteDeps } from './deps'
import type { GatewayEnv } from '../ports/env'
import { routeDoc } from '../middleware/route-doc'
import { renderOAuthPage } from './oauth-page'

/** Query values longer than this are cut (a code or state is far shorter). */
const MAX_PARAM = 2048

/**
 * `GET /oauth/callback` (public: the provider sends the browser here). The `state` names a
 * pending sign-in bound to a user, an extension and the browser that started it; the answer is
 * an HTML page: 200 when connected, 400 when the sign-in failed (nothing was exchanged then).
 */
export const oauthCallbackRoutes = (d: RouteDeps) =>
  new Hono<GatewayEnv>().get('/oauth/callback', routeDoc({ summary: 'OAuth redirect target for extension sign-ins (HTML result page)', auth: false }), async (c) => {
    const param = (name: string) => c.req.query(name)?.slice(0, MAX_PARAM) || undefined
    const state = param('state')
    const extensions = d.services.extensions
    const outcome = extensions
      ? await extensions.completeOAuth({ state, code: param('code'), error: param('error') }, (name) => getCookie(c, name))
      : { ok: false, title: 'Authorization Failed', message: 'Extensions are not enabled on this gateway.', redirectAfter: '/' }
    if (outcome.cookie) deleteCookie(c, outcome.cookie, { path: new URL(c.req.url).pathname })
    const { html, csp } = await renderOAuthPage(outcome)
    c.header('Content-Security-Policy', csp)
    c.header('Cache-Control', 'no-store')
    return c.html(html, outcome.ok ? 200 : extensions ? 400 : 503)
  })
