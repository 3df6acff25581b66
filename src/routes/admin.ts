import { type Context, Hono } from 'hono'
import { requireAdmin } from '../auth/auth-middleware'
import type { RouteDeps } from './deps'
import type { GatewayEnv } from '../ports/env'
import { routeDoc } from '../middleware/route-doc'
import { need, notFound } from '../lib/errors'
import { jsonBody, params, query } from '../middleware/validate'
import { assertReach } from '../auth/account-reach'
import {
  CreatedUser,
  CreateUserRequest,
  UpdateUserRequest,
  UsageQuery,
  UsageReport,
  User,
  UserDeleted,
  UserIdParam,
  UserList,
  UserStatusChanged,
  UserTokenList,
} from '../protocol/users'

const PERIOD_MS = { day: 86_400_000, week: 7 * 86_400_000, month: 30 * 86_400_000 } as const

/**
 * `/api/admin/*`: user management and usage. Admins only (members 403, before any validation);
 * the owner's account is out of every other admin's reach (403 `owner_protected`).
 */
export const adminRoutes = (d: RouteDeps) => {
  const users = () => need(d.services.users, 'users')
  /** The one rule: admins manage other accounts, never the owner's (`assertReach`). */
  const manage = (c: Context<GatewayEnv>, id: string) => assertReach(c.get('principal'), id, d.config.userId, 'manage')
  return new Hono<GatewayEnv>()
    .use('/api/admin/*', requireAdmin)
    .post(
      '/api/admin/users',
      routeDoc({ summary: 'Create a user; the response carries its first API token, shown once', response: CreatedUser, status: 201 }),
      jsonBody(CreateUserRequest),
      async (c) => {
        const { user, token } = await users().create(c.req.valid('json'), { userId: c.get('principal').userId })
        return c.json({ ...user, token: token.token, token_id: token.id }, 201)
      },
    )
    .get('/api/admin/users', routeDoc({ summary: 'List every user', response: UserList }), async (c) => c.json({ users: await users().list() }))
    .get('/api/admin/users/:id', routeDoc({ summary: 'One user', response: User }), params(UserIdParam), async (c) => {
      const user = await users().get(c.req.valid('param').id)
      if (!user) throw notFound('user')
      return c.json(user)
    })
    .patch(
      '/api/admin/users/:id',
      routeDoc({ summary: 'Change a user\'s display name, email, role or metadata (replaced whole)', response: User }),
      params(UserIdParam),
      jsonBody(UpdateUserRequest),
      async (c) => {
        manage(c, c.req.valid('param').id)
        const user = await users().update(c.req.valid('param').id, c.req.valid('json'), { userId: c.get('principal').userId })
        if (!user) throw notFound('user')
        return c.json(user)
      },
    )
    .delete(
      '/api/admin/users/:id',
      routeDoc({ summary: 'Delete a user and all their data (threads, memory, jobs, routines, settings, tokens, secrets)', response: UserDeleted }),
      params(UserIdParam),
      async (c) => {
        const { id } = c.req.valid('param')
        manage(c, id)
        if (!(await users().delete(id, { userId: c.get('principal').userId }))) throw notFound('user')
        return c.json({ id, deleted: true as const })
      },
    )
    .post(
      '/api/admin/users/:id/suspend',
      routeDoc({ summary: 'Suspend a user: their tokens fail at once and their streams close', response: UserStatusChanged }),
      params(UserIdParam),
      async (c) => {
        manage(c, c.req.valid('param').id)
        const user = await users().setStatus(c.req.valid('param').id, 'suspended', { userId: c.get('principal').userId })
        if (!user) throw notFound('user')
        return c.json({ id: user.id, status: user.status })
      },
    )
    .post('/api/admin/users/:id/activate', routeDoc({ summary: 'Re-activate a suspended user', response: UserStatusChanged }), params(UserIdParam), async (c) => {
      manage(c, c.req.valid('param').id)
      const user = await users().setStatus(c.req.valid('param').id, 'active', { userId: c.get('principal').userId })
      if (!user) throw notFound('user')
      return c.json({ id: user.id, status: user.status })
    })
    .get(
      '/api/admin/users/:id/tokens',
      routeDoc({ summary: "A user's API tokens (never the tokens themselves), those minted by someone else marked as impersonation", response: UserTokenList }),
      params(UserIdParam),
      async (c) => {
        const { id } = c.req.valid('param')
        manage(c, id)
        if (!(await users().get(id))) throw notFound('user')
        return c.json({ user_id: id, tokens: await need(d.services.tokens, 'tokens').ofUser(id) })
      },
    )
    .get(
      '/api/admin/usage',
      routeDoc({ summary: 'LLM usage per user and model over the last day (24 h), week (7 d) or month (30 d)', response: UsageReport }),
      query(UsageQuery),
      async (c) => {
        const usage = need(d.services.usage, 'usage')
        const { period, user_id } = c.req.valid('query')
        const since = new Date(d.clock.now() - PERIOD_MS[period]).toISOString()
        const filter = { since, ...(user_id ? { userId: user_id } : {}) }
        const [rows, totals, known] = await Promise.all([usage.byUserAndModel(filter), usage.byUser(filter), d.services.users?.list() ?? []])
        const names = new Map(known.map((u) => [u.id, u.display_name]))
        return c.json({
          period,
          since,
          usage: rows.map((r) => ({ user_id: r.user_id, model: r.model, call_count: r.calls, input_tokens: r.input_tokens, output_tokens: r.output_tokens, total_cost: r.cost_usd })),
          users: totals
            .sort((a, b) => a.user_id.localeCompare(b.user_id))
            .map((t) => ({ user_id: t.user_id, display_name: names.get(t.user_id) ?? null, call_count: t.calls, input_tokens: t.input_tokens, output_tokens: t.output_tokens, total_cost: t.cost_usd })),
        })
      },
    )
}
