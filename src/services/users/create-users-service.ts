import type { ServiceContext } from '../service-context'
import { AccessRevocation } from './access-revocation'
import { TokenService } from './token-service'
import { SessionService } from './session-service'
import { CredentialResolver } from './credential-resolver'
import { ExternalIdentities } from './external-identities'
import { UsersService } from './users-service'

/**
 * The default users and API tokens (need the database). The token service becomes the
 * authenticator's resolver; a change of credentials reaches every instance through the bus.
 * Deleting a user runs every subsystem's eraser (`ctx.deleteUserData`).
 */
export async function createUsersService(
  ctx: ServiceContext,
): Promise<{ users: UsersService; tokens: TokenService; sessions: SessionService; identities: ExternalIdentities } | undefined> {
  const store = ctx.store
  if (!store) return undefined
  const revocation = new AccessRevocation(ctx.auth, ctx.hub.bus)
  const tokens = new TokenService(store.db, ctx.clock, ctx.runtime.sha256, revocation, ctx.config.userId)
  const sessions = new SessionService(store.db, ctx.clock, ctx.runtime.sha256, revocation, ctx.config.userId, ctx.config.signIn.sessions)
  revocation.onUser((userId) => sessions.revokeUser(userId))
  ctx.onClose(async () => {
    revocation.close()
    await tokens.close()
    await sessions.close()
  })
  await tokens.scheduleExpiries()
  ctx.auth.resolver = new CredentialResolver(tokens, sessions)
  const users = await UsersService.open({
    db: store.db,
    clock: ctx.clock,
    tokens,
    revocation,
    deleteUserData: (userId) => ctx.deleteUserData(userId),
    ownerId: ctx.config.userId,
  })
  ctx.onDeleteUser(async (userId) => {
    await tokens.deleteUser(userId)
    await sessions.deleteUser(userId)
  })
  return { users, tokens, sessions, identities: new ExternalIdentities(store.db, ctx.clock, revocation, ctx.config.userId) }
}
