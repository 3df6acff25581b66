import { SecretCipher } from '../../lib/secret-cipher'
import type { ServiceContext } from '../service-context'
import { SecretsService } from './secrets-service'

/** The default secrets store (needs a database and the master key); every stored value is masked in the logs. */
export async function createSecretsService(ctx: ServiceContext): Promise<SecretsService | undefined> {
  if (!ctx.store || !ctx.config.masterKey) return undefined
  const cipher = await SecretCipher.create(ctx.config.masterKey)
  const secrets = await SecretsService.open(ctx.store.db, cipher, ctx.clock, ctx.logging?.redactor)
  ctx.onDeleteUser((userId) => secrets.deleteUser(userId))
  return secrets
}
