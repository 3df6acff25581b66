import { Hono } from 'hono'
import type { RouteDeps } from './deps'
import type { GatewayEnv } from '../ports/env'
import { routeDoc } from '../middleware/route-doc'
import { badRequest, forbidden, need, notFound } from '../lib/errors'
import { jsonBody, params } from '../middleware/validate'
import { CreatedToken, CreateTokenRequest, TokenIdParam, TokenList, TokenRevoked } from '../protocol/users'

/** `/api/tokens`: every user manages their own API tokens. Another user's token id is 404. */
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
          if (principal.role !== 'admin') throw forbidden('Only admins can create tokens for other users')
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
        return c.json(await service.create(userId, { name: body.name, expiresAt }), 201)
      },
    )
    .get('/api/tokens', routeDoc({ summary: 'Your API tokens (never the token itself)', response: TokenList }), async (c) =>
      c.json({ tokens: await tokens().list(c.get('principal').userId) }),
    )
    .delete(
      '/api/tokens/:id',
      routeDoc({ summary: 'Revoke one of your tokens: it fails from the next request and its streams close', response: TokenRevoked }),
      params(TokenIdParam),
      async (c) => {
        const { id } = c.req.valid('param')
        if (!(await tokens().revoke(c.get('principal').userId, id))) throw notFound('token')
        return c.json({ id, status: 'revoked' as const })
      },
    )
}
