import type { ServiceContext } from '../service-context'
import { AccessRevocation } from './access-revocation'
import { TokenService } from './token-service'
import { UsersService } from './users-service'

/**
 * The default users and API tokens (need the database). The token service becomes the
 * authenticator's resolver; a change of credentials reaches every instance through the bus.
 * Deleting a user runs every subsystem's eraser (`ctx.deleteUserData`).
 */
export async function createUsersService(ctx: ServiceContext): Promise<{ users: UsersService; tokens: TokenService } | undefined> {
  const store = ctx.store
  if (!store) return undefined
  const revocation = new AccessRevocation(ctx.auth, ctx.hub.bus)
  const tokens = new TokenService(store.db, ctx.clock, ctx.runtime.sha256, revocation, ctx.config.userId)
  ctx.onClose(async () => {
    revocation.close()
    await tokens.close()
  })
  await tokens.scheduleExpiries()
  ctx.auth.resolver = tokens
  const users = await UsersService.open({
    db: store.db,
    clock: ctx.clock,
    tokens,
    revocation,
    deleteUserData: (userId) => ctx.deleteUserData(userId),
    ownerId: ctx.config.userId,
  })
  ctx.onDeleteUser((userId) => tokens.deleteUser(userId))
  return { users, tokens }
}
