import type { Services } from '../../gateway/services'
import { LogsService } from '../logs/logs-service'
import { PairingService } from '../pairing/pairing-service'
import { SecretCipher } from '../../lib/secret-cipher'
import { SecretsService } from '../secrets/secrets-service'
import type { ServiceContext } from '../service-context'
import { SettingsService } from '../settings/settings-service'
import { AccessRevocation } from './access-revocation'
import { TokenService } from './token-service'
import { UsersService } from './users-service'

/**
 * The default users, tokens, settings, pairing and secrets subsystems (all need the database;
 * secrets also need the master key) and the live logs (need the process's `GatewayLogging`).
 * Installs the token service as the authenticator's resolver.
 */
export async function createUsersServices(ctx: ServiceContext): Promise<Partial<Services>> {
  const services: Partial<Services> = {}
  if (ctx.logging) {
    const logs = new LogsService(ctx.logging, ctx.hub.bus, ctx.config.limits.keepAliveMs)
    ctx.onClose(() => logs.close())
    services.logs = logs
    if (ctx.config.masterKey) ctx.logging.redactor.add(ctx.config.masterKey)
  }
  const store = ctx.store
  if (!store) return services

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
  const settings = new SettingsService(store.db, ctx.clock)
  const pairing = new PairingService(store.db, ctx.clock)
  ctx.onDeleteUser((userId) => tokens.deleteUser(userId))
  ctx.onDeleteUser((userId) => settings.deleteUser(userId))
  ctx.onDeleteUser((userId) => pairing.deleteUser(userId))
  Object.assign(services, { users, tokens, settings, pairing })

  if (ctx.config.masterKey) {
    const cipher = await SecretCipher.create(ctx.config.masterKey)
    const secrets = await SecretsService.open(store.db, cipher, ctx.clock, ctx.logging?.redactor)
    ctx.onDeleteUser((userId) => secrets.deleteUser(userId))
    services.secrets = secrets
  }
  return services
}
