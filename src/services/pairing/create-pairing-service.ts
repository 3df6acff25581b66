import type { ServiceContext } from '../service-context'
import { PairingService } from './pairing-service'

/** The default pairing of channel senders with users (needs a database, so approvals span restarts and instances). */
export function createPairingService(ctx: ServiceContext): PairingService | undefined {
  if (!ctx.store) return undefined
  const pairing = new PairingService(ctx.store.db, ctx.clock)
  ctx.onDeleteUser((userId) => pairing.deleteUser(userId))
  return pairing
}
