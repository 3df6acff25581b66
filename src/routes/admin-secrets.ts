import { type Context, Hono } from 'hono'
import { requireAdmin } from '../auth/auth-middleware'
import type { RouteDeps } from './deps'
import type { GatewayEnv } from '../ports/env'
import { routeDoc } from '../middleware/route-doc'
import { need, notFound } from '../lib/errors'
import { jsonBody, params } from '../middleware/validate'
import { PutSecretRequest, SecretDeleted, SecretList, SecretParam, SecretStored, SecretUserParam } from '../protocol/users'
import { assertReach } from '../auth/account-reach'

/**
 * `/api/admin/users/{user_id}/secrets`: admins provision a user's secrets. Values go in and never
 * come out: responses carry names, providers and times only. The owner's secrets are the
 * owner's alone (`assertReach`): another admin gets 403.
 */
export const adminSecretRoutes = (d: RouteDeps) => {
  /** The user must exist (404 otherwise), so a typo does not create an orphan secret. */
  const forUser = async (c: Context<GatewayEnv>, userId: string) => {
    assertReach(c.get('principal'), userId, d.config.userId, 'manage')
    const secrets = need(d.services.secrets, 'secrets')
    const users = need(d.services.users, 'users')
    if (!(await users.get(userId))) throw notFound('user')
    return secrets
  }
  return new Hono<GatewayEnv>()
    .use('/api/admin/*', requireAdmin)
    .get('/api/admin/users/:user_id/secrets', routeDoc({ summary: "A user's secrets: names and times, never values", response: SecretList }), params(SecretUserParam), async (c) => {
      const { user_id } = c.req.valid('param')
      const secrets = await (await forUser(c, user_id)).list(user_id)
      return c.json({
        user_id,
        secrets: secrets.map((s) => ({ name: s.name, provider: s.provider ?? null, expires_at: s.expires_at ?? null, created_at: s.created_at, updated_at: s.updated_at })),
      })
    })
    .put(
      '/api/admin/users/:user_id/secrets/:name',
      routeDoc({ summary: 'Create or replace a secret (encrypted at rest; never returned)', response: SecretStored }),
      params(SecretParam),
      jsonBody(PutSecretRequest),
      async (c) => {
        const { user_id, name } = c.req.valid('param')
        const { value, provider, expires_in_days } = c.req.valid('json')
        const secrets = await forUser(c, user_id)
        const existed = (await secrets.list(user_id)).some((s) => s.name === name)
        const expiresAt = expires_in_days == null ? null : new Date(d.clock.now() + expires_in_days * 86_400_000).toISOString()
        await secrets.set(user_id, name, value, { provider: provider ?? null, expiresAt })
        return c.json({ user_id, name, status: existed ? ('updated' as const) : ('created' as const) }, existed ? 200 : 201)
      },
    )
    .delete('/api/admin/users/:user_id/secrets/:name', routeDoc({ summary: 'Delete a secret', response: SecretDeleted }), params(SecretParam), async (c) => {
      const { user_id, name } = c.req.valid('param')
      if (!(await (await forUser(c, user_id)).delete(user_id, name))) throw notFound('secret')
      return c.json({ user_id, name, deleted: true as const })
    })
}
