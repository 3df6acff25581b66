import { Hono } from 'hono'
import type { RouteDeps } from './deps'
import type { GatewayEnv } from '../ports/env'
import { routeDoc } from '../middleware/route-doc'
import { need, notFound } from '../lib/errors'
import { jsonBody } from '../middleware/validate'
import { Profile, UpdateProfileRequest, type User } from '../protocol/users'

const toProfile = ({ created_by: _, ...profile }: User): Profile => profile

/** `/api/profile`: the caller's own account. */
export const profileRoutes = (d: RouteDeps) => {
  const users = () => need(d.services.users, 'users')
  return new Hono<GatewayEnv>()
    .get('/api/profile', routeDoc({ summary: 'Your account', response: Profile }), async (c) => {
      const user = await users().get(c.get('principal').userId)
      if (!user) throw notFound('user')
      return c.json(toProfile(user))
    })
    .patch('/api/profile', routeDoc({ summary: 'Change your display name or metadata', response: Profile }), jsonBody(UpdateProfileRequest), async (c) => {
      const user = await users().updateProfile(c.get('principal').userId, c.req.valid('json'))
      if (!user) throw notFound('user')
      return c.json(toProfile(user))
    })
}
