import { Hono } from 'hono'
import type { RouteDeps } from './deps'
import type { GatewayEnv } from '../ports/env'
import { routeDoc } from '../middleware/route-doc'
import { badRequest, need, notFound } from '../lib/errors'
import { jsonBody, params } from '../middleware/validate'
import { CreatedToken, CreateTokenRequest, TokenIdParam, TokenList, TokenRevoked } from '../protocol/users'
import { assertReach } from '../auth/account-reach'

/**
 * `/api/tokens`: every user mints, lists and revokes its own API tokens; the owner alone may mint
 * one for another user (`user_id`), which both then see listed as impersonation and either may
 * revoke. Another user's token id is 404.
 */
export const tokenRoutes = (d: RouteDeps) => {
  const tokens = () => need(d.services.tokens, 'tokens')
  return new Hono<GatewayEnv>()
    .post(
      '/api/tokens',
      routeDoc({ summary: 'Create an API token; its plaintext (64 hex characters) is in this response only', response: CreatedToken, status: 201 }),
      jsonBody(CreateTokenRequest),
      async (c) => {
        const body = c.req.valid('json')
        const principal = c.get('principal')
        const service = tokens()
        let userId = principal.userId
        if (body.user_id !== undefined && body.user_id !== principal.userId) {
          assertReach(principal, body.user_id, d.config.userId, 'impersonate')
          if (!(await need(d.services.users, 'users').get(body.user_id))) throw notFound('user')
          userId = body.user_id
        }
        const now = d.clock.now()
        let expiresAt: string | null = null
        if (body.expires_in_days != null) expiresAt = new Date(now + body.expires_in_days * 86_400_000).toISOString()
        if (body.expires_at != null) {
          const at = Date.parse(body.expires_at)
          if (at <= now) throw badRequest('invalid_request', 'expires_at must be in the future')
          expiresAt = new Date(at).toISOString()
        }
        // A token minted with an impersonation token is the impersonator's too: the mark stays.
        const mintedBy = principal.impersonation && principal.mintedBy ? principal.mintedBy : principal.userId
        return c.json(await service.create(userId, { name: body.name, expiresAt, mintedBy, impersonation: mintedBy !== userId }), 201)
      },
    )
    .get('/api/tokens', routeDoc({ summary: 'Your API tokens and those you minted for others (never the token itself)', response: TokenList }), async (c) =>
      c.json({ tokens: await tokens().list(c.get('principal').userId) }),
    )
    .delete(
      '/api/tokens/:id',
      routeDoc({ summary: 'Revoke one of your tokens (or one you minted): it fails from the next request, its streams close, its links stop working', response: TokenRevoked }),
      params(TokenIdParam),
      async (c) => {
        const { id } = c.req.valid('param')
        if (!(await tokens().revoke(c.get('principal').userId, id))) throw notFound('token')
        return c.json({ id, status: 'revoked' as const })
      },
    )
}
